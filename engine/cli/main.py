"""Entry point of the `sentinel` command.

Exit codes, for every command: 0 done, 2 bad input or usage, 3 the inference box was needed and
could not be reached, 1 an internal error (logged with its traceback, never with patient text).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from engine import __version__
from engine.logs import configure_logging

log = logging.getLogger(__name__)

# Each module has `register(subparsers)`; handlers are set with `set_defaults(handler=...)`.
COMMAND_MODULES: tuple[str, ...] = (
    "engine.cli.score",
    "engine.cli.assess",
    "engine.cli.troponin",
    "engine.cli.draft",
    "engine.cli.box",
    "engine.cli.audit",
    "engine.cli.kb",
    "engine.cli.transcribe",
)

# Commands that live in other packages (the desktop panel) register through entry points,
# so the engine never imports them.
ENTRY_POINT_GROUP = "sentinel.commands"

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line naming what is wrong (not the whole usage)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sentinel",
        description="ED Sentinel (急诊哨兵): decision support for emergency-department histories.",
    )
    parser.add_argument("--version", action="version", version=f"ed-sentinel {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log more to stderr (-vv for debug)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            registrar = entry.load()
        except ImportError as exc:
            # The desktop extra may not be installed on a server; the other commands still work.
            log.debug("command %s unavailable: %s", entry.name, exc)
            continue
        registrar(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_file = configure_logging(args.verbose)
    handler: Handler = args.handler

    try:
        return handler(args)
    except KeyboardInterrupt:
        print("sentinel: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the command line's last boundary: report, never trace
        code = getattr(exc, "exit_code", None)
        if isinstance(code, int) and code != 1:
            print(f"sentinel: error: {exc}", file=sys.stderr)
            return code
        log.exception("internal error in %s", args.command)
        print(f"sentinel: internal error: {type(exc).__name__}: {exc}"
              f" (details in {log_file})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
