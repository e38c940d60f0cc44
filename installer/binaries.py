"""Tell executable formats apart, and read which DLLs a Windows binary needs.

Only the headers are read: the DOS stub's pointer to the PE header, the COFF header (machine),
the optional header's data directories (import and delay-import tables) and the section table
that maps their addresses to file offsets.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from installer.errors import PayloadError

ELF_MAGIC = b"\x7fELF"
MACH_O_MAGICS = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                 b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
MACHINE_AMD64 = 0x8664
MACHINE_NAMES = {0x14C: "x86", 0x8664: "x64", 0xAA64: "arm64", 0x1C4: "arm"}

_IMPORT_DIRECTORY = 1
_DELAY_IMPORT_DIRECTORY = 13


def file_kind(path: Path) -> str:
    """'elf', 'mach-o', 'pe' or 'other', from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == ELF_MAGIC:
        return "elf"
    if head in MACH_O_MAGICS:
        return "mach-o"
    if head[:2] == b"MZ":
        return "pe"
    return "other"


@dataclass(frozen=True)
class PeInfo:
    """What the payload checks need to know about one Windows binary."""

    machine: int
    imports: tuple[str, ...]

    @property
    def machine_name(self) -> str:
        return MACHINE_NAMES.get(self.machine, hex(self.machine))


def read_pe(path: Path) -> PeInfo:
    """The machine type and imported DLL names (lower case) of a PE file."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            return _parse(data)
        except (struct.error, IndexError, ValueError) as exc:
            raise PayloadError(f"{path}: not a readable Windows binary ({exc})") from None


def _parse(data: mmap.mmap) -> PeInfo:
    pe_offset = _u32(data, 0x3C)
    if data[pe_offset:pe_offset + 4] != b"PE\0\0":
        raise ValueError("no PE signature")

    coff = pe_offset + 4
    machine, section_count = struct.unpack_from("<HH", data, coff)
    optional_size = struct.unpack_from("<H", data, coff + 16)[0]
    optional = coff + 20
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (112 if magic == 0x20B else 96)
    sections = _sections(data, optional + optional_size, section_count)

    names: list[str] = []
    import_rva = _u32(data, directories + 8 * _IMPORT_DIRECTORY)
    if import_rva:
        names += _import_names(data, sections, import_rva, entry_size=20, name_field=12)
    delay_rva = _u32(data, directories + 8 * _DELAY_IMPORT_DIRECTORY)
    if delay_rva:
        names += _import_names(data, sections, delay_rva, entry_size=32, name_field=4)
    return PeInfo(machine=machine, imports=tuple(dict.fromkeys(names)))


def _sections(data: mmap.mmap, start: int, count: int) -> list[tuple[int, int, int]]:
    """(virtual address, size, file offset) of each section."""
    table = []
    for index in range(count):
        entry = start + 40 * index
        virtual_size, virtual_address, raw_size, raw_offset = struct.unpack_from(
            "<IIII", data, entry + 8
        )
        table.append((virtual_address, max(virtual_size, raw_size), raw_offset))
    return table


def _offset(sections: list[tuple[int, int, int]], rva: int) -> int:
    for virtual_address, size, raw_offset in sections:
        if virtual_address <= rva < virtual_address + size:
            return rva - virtual_address + raw_offset
    raise ValueError(f"address {rva:#x} is in no section")


def _import_names(data: mmap.mmap, sections: list[tuple[int, int, int]], rva: int,
                  entry_size: int, name_field: int) -> list[str]:
    names: list[str] = []
    entry = _offset(sections, rva)
    while True:
        descriptor = bytes(data[entry:entry + entry_size])
        if len(descriptor) < entry_size or not any(descriptor):
            return names
        name_rva = struct.unpack_from("<I", descriptor, name_field)[0]
        start = _offset(sections, name_rva)
        end = data.find(b"\0", start)
        names.append(data[start:end].decode("ascii").lower())
        entry += entry_size


def _u32(data: mmap.mmap, offset: int) -> int:
    value: int = struct.unpack_from("<I", data, offset)[0]
    return value
