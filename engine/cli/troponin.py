"""`sentinel troponin`: the ESC hs-troponin algorithm's verdict and the next draw due.

    sentinel troponin --assay roche_hs_ctnt --protocol 0h1h --draw 13:35=7 --now 13:50
    sentinel troponin --draw 2025-03-05T13:35=7 --draw 2025-03-05T14:36=8 --json
    sentinel troponin --list-assays

TIME is ISO 8601 (2025-03-05T13:35, a zone allowed) or HH:MM on the day of --now. The assay
and protocol default to the settings `troponin_assay` and `troponin_protocol`.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime
from typing import Any

from engine.errors import BadInput

log = logging.getLogger(__name__)

VERDICT_WORDS = {"rule_out": "排除（rule-out）", "observe": "观察区（observe）",
                 "rule_in": "纳入（rule-in）", "not_validated": "未验证（not validated）",
                 "pending": "待复查（pending）"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "troponin", help="ESC 0h/1h or 0h/2h hs-troponin verdict and next draw",
        description="Apply the ESC 2020 hs-troponin algorithm to the draws so far and say "
                    "when the next draw is due. Values in ng/L.")
    parser.add_argument("--assay", help="assay id (default: the troponin_assay setting;"
                                        " see --list-assays)")
    parser.add_argument("--protocol", help="0h1h or 0h2h (default: the troponin_protocol"
                                           " setting)")
    parser.add_argument("--draw", action="append", default=[], metavar="TIME=VALUE",
                        help="a draw and its value in ng/L; repeat for each draw")
    parser.add_argument("--onset", metavar="TIME", help="when the chest pain began")
    parser.add_argument("--now", metavar="TIME", help="the time to judge at (default: now)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--list-assays", action="store_true",
                        help="list the assay ids and the protocols each is validated for")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from engine.scores import troponin

    if args.list_assays:
        for assay_id in troponin.assays():
            validated = ", ".join(troponin.validated_protocols(assay_id)) or "not validated"
            print(f"{assay_id}\t{troponin.assay_label(assay_id)}\t{validated}")
        return 0

    assay_id, protocol = _assay_and_protocol(args)
    now = _now(args.now, [args.onset, *args.draw])
    draws = [_draw(text, now) for text in args.draw]
    onset = None if args.onset is None else _time("--onset", args.onset, now)

    result = troponin.evaluate(assay_id, protocol, draws, onset, now)
    log.debug("troponin %s %s: %s", assay_id, protocol, result.verdict)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_as_text(result))
    return 0


def _assay_and_protocol(args: argparse.Namespace) -> tuple[str, str]:
    if args.assay and args.protocol:
        return args.assay, args.protocol
    from engine.settings import Settings

    settings = Settings.load()
    return (args.assay or settings.get("troponin_assay"),
            args.protocol or settings.get("troponin_protocol"))


def _now(text: str | None, other_times: list[str]) -> datetime:
    if text is not None:
        return _time("--now", text, datetime.now())
    # Draws given with a time zone are compared with an aware now, and plain ones with local.
    zoned = any(_has_zone(item) for item in other_times if item)
    return datetime.now().astimezone() if zoned else datetime.now()


def _has_zone(text: str) -> bool:
    stamp = text.rpartition("=")[0] or text
    try:
        return datetime.fromisoformat(stamp).tzinfo is not None
    except ValueError:
        return False


def _draw(text: str, now: datetime) -> tuple[datetime, float]:
    stamp, equals, value = text.rpartition("=")
    if not equals or not stamp:
        raise BadInput(f"--draw {text!r}: expected TIME=VALUE, like 13:35=7.5")
    try:
        number = float(value)
    except ValueError:
        raise BadInput(f"--draw {text!r}: the value must be a number of ng/L") from None
    return _time("--draw", stamp, now), number


def _time(option: str, text: str, now: datetime) -> datetime:
    """ISO 8601, or HH:MM on the day of `now` (in `now`'s time zone)."""
    try:
        if len(text) <= 5 and ":" in text:
            clock = datetime.strptime(text, "%H:%M")
            return now.replace(hour=clock.hour, minute=clock.minute, second=0, microsecond=0)
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option} {text!r}: expected a time like 2025-03-05T13:35"
                       f" or 13:35") from None


def _as_text(result: Any) -> str:
    lines = [f"{result.assay_label}，ESC {result.protocol}",
             f"结论：{VERDICT_WORDS[result.verdict]}",
             result.message]
    if result.next_draw_at is not None:
        late = "（已逾期）" if result.overdue else ""
        lines.append(f"下次采血：{result.next_draw_at.isoformat(sep=' ', timespec='minutes')}"
                     f"{late}")
    return "\n".join(lines)
