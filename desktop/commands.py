"""`sentinel panel` and `sentinel open`: the desktop panel's commands (registered by entry point).

    sentinel panel [--handover FILE.json]   start the panel (hand it a visit at once)
    sentinel open FILE.json | -             hand a visit to the running panel of this user

The hand-over format is documented in `desktop.handover`. Exit codes: 0 done; 2 the hand-over
is malformed (the message says where; the panel is unchanged); 4 no panel of this user is
running (`sentinel open` only: start it with `sentinel panel --handover FILE.json`).

This module is imported by every `sentinel` command, so it imports Qt only inside handlers.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import BadInput


def register_panel(commands: Any) -> None:
    parser = commands.add_parser(
        "panel", help="start the desktop panel beside the HIS",
        description="Start the ED Sentinel panel (decision support: the doctor decides). With "
                    "--handover, the visit's patient context and triage vitals are filled in.")
    parser.add_argument("--handover", metavar="FILE.json",
                        help="the HIS hand-over JSON (see desktop/handover.py); '-' for stdin")
    parser.set_defaults(handler=run_panel_command)


def register_open(commands: Any) -> None:
    parser = commands.add_parser(
        "open", help="hand a visit from the HIS to the running panel",
        description="Send the HIS hand-over JSON (visit, patient, doctor, vitals) to this "
                    "user's running panel over a local channel only this user can reach.")
    parser.add_argument("handover", metavar="FILE.json|-",
                        help="the hand-over JSON file, or '-' to read it from stdin")
    parser.set_defaults(handler=run_open_command)


def read_handover_bytes(value: str) -> bytes:
    """The hand-over's bytes from a file or stdin; BadInput when it cannot be read."""
    from desktop.handover import MAX_BYTES

    if value == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        path = Path(value)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise BadInput(f"no hand-over file {path}") from None
        except IsADirectoryError:
            raise BadInput(f"{path} is a folder; give the hand-over JSON file") from None
        except PermissionError:
            raise BadInput(f"cannot read {path}: permission denied") from None
    return data


def run_panel_command(args: argparse.Namespace) -> int:
    from desktop.app import run_panel
    from desktop.handover import parse_handover

    handover = None
    if args.handover:
        handover = read_handover_bytes(args.handover)
        parse_handover(handover)  # refuse a malformed one before any window opens
    return run_panel(handover)


def run_open_command(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication

    from desktop.channel import send_handover
    from desktop.handover import parse_handover

    data = read_handover_bytes(args.handover)
    parse_handover(data)  # a malformed hand-over never reaches the panel
    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    send_handover(data)
    sys.stdout.write("sentinel: hand-over sent to the panel\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m desktop [--handover FILE.json]`: the panel, as the Start-menu starts it."""
    if sys.stderr is None or sys.stdout is None:  # pythonw has no console
        sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as we do)
        sys.stdout = sys.stdout or sink
        sys.stderr = sys.stderr or sink
    from engine.logs import configure_logging

    configure_logging(0)
    parser = argparse.ArgumentParser(prog="python -m desktop", description="ED Sentinel panel")
    parser.add_argument("--handover", metavar="FILE.json")
    args = parser.parse_args(argv)
    try:
        return run_panel_command(args)
    except BadInput as exc:
        sys.stderr.write(f"sentinel: error: {exc}\n")
        return exc.exit_code
