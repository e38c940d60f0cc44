"""The storage package's public surface is declared once and documented."""

from __future__ import annotations

import importlib
import subprocess
import sys

import engine.storage as storage


def test_every_exported_name_exists_and_is_public() -> None:
    for name in storage.__all__:
        assert hasattr(storage, name), name
        assert not name.startswith("_")
    assert sorted(storage.__all__) == sorted(set(storage.__all__))


def test_the_calls_others_use_are_documented_in_the_package_docstring() -> None:
    doc = storage.__doc__ or ""
    for call in ("CaseJournal.open", "new_case", "record(", "attach(", "save_draft(",
                 "open_cases()", "close_case(", "purge_expired(", "AuditLog.open",
                 "record_generation(", "record_copy(", "verify()", "export("):
        assert call in doc, call


def test_errors_have_one_base_with_exit_codes() -> None:
    from engine.errors import BadInput, EngineError

    errors = importlib.import_module("engine.storage.errors")
    assert issubclass(errors.StorageError, EngineError)
    for name in ("BadValue", "UnknownCase", "DiskFull", "Unreadable", "NewerSchema",
                 "AuditError"):
        assert issubclass(getattr(errors, name), errors.StorageError), name
    assert issubclass(errors.BadValue, BadInput) and errors.BadValue.exit_code == 2


def test_importing_storage_loads_no_qt() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, engine.storage, engine.net_guard, engine.logs;"
         " print(any(name.startswith('PySide6') for name in sys.modules))"],
        capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.strip() == "False"
