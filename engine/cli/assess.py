"""`sentinel assess TEXT`: what the rules engine understands from a text, as JSON.

    sentinel assess '持续左胸痛3小时压榨 冷汗气促'
    echo '男，62岁，胸痛2小时' | sentinel assess --template acs -
    sentinel assess --vitals '{"hr": 112, "sbp": 90}' --now 2024-05-01T14:00 TEXT

Prints findings (with the character spans behind each), scores, questions (补病史), red flags
and the risk level. Exits 2 with one line saying what is wrong for empty, non-UTF-8 or overlong
text, bad vitals JSON, an unknown template or a malformed time.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime
from typing import Any

from engine.errors import BadInput

log = logging.getLogger(__name__)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "assess", help="findings, scores, questions and red flags from a text (no model)",
        description="Read a doctor's text with the rules engine and print, as JSON, the "
                    "findings with their character spans, the template's scores, the questions "
                    "still to ask, the red flags and the risk level.")
    parser.add_argument("text", metavar="TEXT", help="the text; - reads UTF-8 from stdin")
    parser.add_argument("--template", metavar="ID",
                        help="template id (default chest_pain_general; personal ones too)")
    parser.add_argument("--vitals", metavar="JSON|@FILE",
                        help="triage vitals, e.g. '{\"hr\": 88, \"sbp\": 130, \"spo2\": 97}'")
    parser.add_argument("--now", metavar="TIME",
                        help="the current time, ISO 8601 (default: the clock)")
    parser.set_defaults(handler=run)


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--now: {value!r} is not an ISO time like 2024-05-01T14:30") from None


def run(args: argparse.Namespace) -> int:
    from engine.cli.inputs import read_json_object, read_text
    from engine.findings import assess

    now = parse_now(args.now)
    vitals = read_json_object(args.vitals, what="--vitals") if args.vitals else None
    text = read_text(args.text)
    result = assess(text, args.template, vitals, now)
    log.debug("assess: %d findings present, risk %s", len(result.findings.present),
              result.risk_level)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0
