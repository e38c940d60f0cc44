"""`sentinel draft`: a history draft from dictated or typed words."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from engine.cli.inputs import read_json_object, read_text
from engine.errors import BadInput


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "draft", help="draft an ED history from dictation or typed text",
        description="Draft a structured ED history (decision support: the doctor edits it). "
                    "With no inference box configured the rules engine drafts at once.")
    parser.add_argument("--template", "-t", default="chest_pain_general",
                        help="template id, e.g. acs, aortic_dissection (default: %(default)s)")
    parser.add_argument("--text", required=True,
                        help="the presentation in Chinese; '-' reads UTF-8 from stdin")
    parser.add_argument("--vitals", help="triage vitals as JSON or @FILE, e.g. "
                                         "'{\"hr\": 112, \"sbp\": 150}'")
    parser.add_argument("--server", action="append", default=[], metavar="URL",
                        help="inference box URL (repeat for failover); overrides settings")
    parser.add_argument("--engine", choices=("auto", "rules", "model"), default=None,
                        help="rules only, the model (fails if the box is down), or auto")
    parser.add_argument("--now", help="visit time, ISO format (default: now)")
    parser.add_argument("--json", action="store_true", help="print the draft as JSON")
    parser.set_defaults(handler=run)


def parse_time(value: str | None, *, what: str = "--now") -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{what} {value!r} is not an ISO time like 2026-12-03T14:35") from None


def run(args: argparse.Namespace) -> int:
    from engine.drafting.pipeline import Case
    from engine.drafting.render import render_draft
    from engine.drafting.setup import make_drafter
    from engine.settings import Settings

    text = read_text(args.text)
    vitals = read_json_object(args.vitals, what="--vitals") if args.vitals else None
    visit_time = parse_time(args.now)
    settings = Settings.load()
    engine = args.engine or settings.get("engine")

    drafter = make_drafter(settings, args.server, stream=True)
    try:
        draft = drafter.draft(Case(text, args.template, vitals, visit_time), engine=engine)
    finally:
        if drafter.client is not None:
            drafter.client.close()

    if args.json:
        print(json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print(render_draft(draft, visit_time or draft.provenance.created_at))
    if draft.warnings:
        for warning in draft.warnings:
            print(f"sentinel: 提示: {warning}", file=sys.stderr)
    return 0
