"""`python -m desktop.i18n`: refresh the English catalogue from the code, then compile it.

Runs Qt's `pyside6-lupdate` over desktop/ (new strings are added as unfinished, removed ones
dropped), then `pyside6-lrelease` to write `sentinel_en.qm`. Exits 1, listing them, when some
strings still lack an English translation: fill them in with `pyside6-linguist` and run again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
DESKTOP = HERE.parent
TS = HERE / "sentinel_en.ts"
QM = HERE / "sentinel_en.qm"


def tool(name: str) -> str:
    """A Qt tool from the environment running us (the .venv), else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install the desktop extra (PySide6)")
    return found


def sources() -> list[str]:
    return sorted(str(path) for path in DESKTOP.rglob("*.py") if "i18n" not in path.parts)


def update(ts: Path = TS) -> None:
    subprocess.run([tool("pyside6-lupdate"), *sources(), "-ts", str(ts), "-target-language",
                    "en", "-no-obsolete", "-locations", "none", "-silent"], check=True)


def release(ts: Path = TS, qm: Path = QM) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def unfinished(ts: Path = TS) -> list[str]:
    root = ET.parse(ts).getroot()
    return [message.findtext("source") or "" for message in root.iter("message")
            if (translation := message.find("translation")) is None
            or translation.get("type") == "unfinished" or not (translation.text or "").strip()]


def main() -> int:
    update()
    release()
    missing = unfinished()
    for source in missing:
        sys.stderr.write(f"untranslated: {source}\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
