"""`sentinel audit`: check the audit log's chain, and export it for the records office."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.errors import BadInput


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "audit", help="check or export the audit log of generations and copies to the HIS",
        description="The audit log records who generated or copied what, when, with which "
                    "template, prompt, model and knowledge base; it never holds patient text.",
    )
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION",
                                    parser_class=type(parser))
    actions.required = True

    verify = actions.add_parser("verify", help="walk the hash chain; name the first broken entry")
    verify.set_defaults(handler=_verify)

    export = actions.add_parser("export", help="write the entries as CSV or JSON lines")
    export.add_argument("--format", choices=("csv", "jsonl"), default="jsonl",
                        help="output format (default jsonl)")
    export.add_argument("--since", metavar="WHEN",
                        help="only entries at or after WHEN: 2025-03-01 or 2025-03-01T08:00"
                             " (this computer's time unless a zone is given)")
    export.add_argument("--output", "-o", metavar="FILE", type=Path,
                        help="write to FILE instead of stdout")
    export.set_defaults(handler=_export)


def _verify(args: argparse.Namespace) -> int:
    from engine.storage import AuditLog

    with AuditLog.open() as audit:
        result = audit.verify()
    print(result.summary())
    for note in result.notes:
        print(f"note: {note}")
    if not result.ok:
        print("The audit log was altered or cut. Keep this computer as it is and tell IT; "
              "`sentinel audit export` still writes what is there.", file=sys.stderr)
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from engine.storage import AuditLog

    since = _parse_since(args.since) if args.since else None
    with AuditLog.open() as audit:
        if args.output is None:
            count = audit.export(sys.stdout, args.format, since)
        else:
            try:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = audit.export(out, args.format, since)
            except OSError as exc:
                raise BadInput(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"exported {count} audit entries", file=sys.stderr)
    return 0


def _parse_since(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"--since {text!r} is not a date or time; write it like 2025-03-01 or "
                       "2025-03-01T08:00") from None
