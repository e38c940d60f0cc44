"""A tiny PDF writer for tests: Chinese text pages that pypdf can extract.

No PDF library here writes CJK text without a font file, so this writes the PDF objects by
hand: one Type0 font with Identity-H encoding whose ToUnicode map turns each glyph id back into
its character. Viewers would show boxes; text extraction, which is what the importer uses,
gets the characters back.
"""

from __future__ import annotations


def _cmap(chars: list[str]) -> bytes:
    entries = [f"<{index + 1:04X}> <{ord(char):04X}>" for index, char in enumerate(chars)]
    blocks = []
    for begin in range(0, len(entries), 100):
        part = entries[begin:begin + 100]
        blocks.append(f"{len(part)} beginbfchar\n" + "\n".join(part) + "\nendbfchar")
    body = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    return body.encode("ascii")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages hold the given lines, top to bottom."""
    chars = sorted({char for page in pages for line in page for char in line})
    cid = {char: index + 1 for index, char in enumerate(chars)}

    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: str = "") -> bytes:
        return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + \
            b"\nendstream"

    catalog = add(b"")  # filled in once the pages object exists
    pages_id = add(b"")
    descriptor = add(b"<< /Type /FontDescriptor /FontName /TestSong /Flags 4 /FontBBox "
                     b"[0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
                     b"/CapHeight 700 /StemV 80 >>")
    cid_font = add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestSong "
                   f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                   f" /FontDescriptor {descriptor} 0 R /DW 1000 >>".encode())
    to_unicode = add(stream(_cmap(chars)))
    font = add(f"<< /Type /Font /Subtype /Type0 /BaseFont /TestSong /Encoding /Identity-H "
               f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>".encode())

    page_ids = []
    for lines in pages:
        commands = []
        for number, line in enumerate(lines):
            glyphs = "".join(f"{cid[char]:04X}" for char in line)
            commands.append(f"BT /F1 11 Tf 40 {800 - 18 * number} Td <{glyphs}> Tj ET")
        content = add(stream("\n".join(commands).encode("ascii")))
        page_ids.append(add(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()
        ))
    kids = " ".join(f"{page} 0 R" for page in page_ids)
    objects[pages_id - 1] = f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode()
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n"
            f"{xref}\n%%EOF\n").encode()
    return bytes(out)
