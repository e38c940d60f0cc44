"""`sentinel score NAME`: a published risk score from JSON inputs on stdin.

    echo '{"history": "moderate", "age": 52}' | sentinel score heart
    sentinel score --list

Prints the result as JSON (partial when inputs are missing) and exits 0; exits 2 with one line
naming the field when the inputs are wrong.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from engine.cli.inputs import MAX_TEXT_CHARS
from engine.errors import BadInput

log = logging.getLogger(__name__)

WHAT = "score inputs on stdin"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "score", help="compute a published risk score (HEART, Wells, Caprini...)",
        description="Compute a published risk score from a JSON object of inputs on stdin. "
                    "Missing inputs give a partial result with the range they allow.")
    parser.add_argument("name", nargs="?", help="the score, e.g. heart (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scores and their sources")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from engine import scores

    if args.list:
        for name in scores.names():
            print(f"{name}\t{scores.title(name)}\t{scores.citation(name)}")
        return 0
    if not args.name:
        raise BadInput("score: give a score name (see `sentinel score --list`)")

    scores.input_names(args.name)  # an unknown name is reported before stdin is read
    inputs = _read_stdin_object()
    result = scores.compute(args.name, inputs)
    log.debug("score %s: complete=%s", args.name, result.complete)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    return 0


def _read_stdin_object() -> dict[str, Any]:
    if sys.stdin.isatty():
        # Reading a terminal would wait silently for an end-of-file the user never types.
        raise BadInput(f"{WHAT}: none piped in; use echo '{{\"age\": 52}}' | sentinel score NAME")
    raw = sys.stdin.buffer.read(MAX_TEXT_CHARS * 4 + 1)
    if len(raw) > MAX_TEXT_CHARS * 4:
        raise BadInput(f"{WHAT} are larger than {MAX_TEXT_CHARS * 4} bytes; pass one JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{WHAT} are not UTF-8 (byte {exc.start}); save them as UTF-8") from None
    if not text.strip():
        raise BadInput(f"{WHAT} are empty; pipe a JSON object, like"
                       f" echo '{{\"age\": 52}}' | sentinel score heart")
    try:
        data = json.loads(text, object_pairs_hook=_no_repeated_keys)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{WHAT} are not valid JSON: {exc.msg} at character {exc.pos}") from None
    except ValueError:
        # json raises a plain ValueError for integers longer than Python will convert.
        raise BadInput(f"{WHAT} hold a number too long to read; check the values") from None
    except RecursionError:
        raise BadInput(f"{WHAT} are nested too deeply; pass a flat JSON object") from None
    if not isinstance(data, dict):
        raise BadInput(f"{WHAT} must be a JSON object, like {{\"age\": 52}}")
    return data


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # JSON keeps the last of two equal keys silently; for clinical inputs that hides a conflict.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadInput(f"{WHAT}: {key!r} is given twice; keep one")
        out[key] = value
    return out
