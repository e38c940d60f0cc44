"""ED templates as data: what a history must cover, its red flags, scores, workup and reminders.

A template sits beside the prompt card of the same id (``prompts/templates/acs.toml`` beside
``prompts/cards/acs.toml``). The public ones ship with the package; a doctor's personal ones
(我的模板) live in a folder the caller names, so this package never needs to know where the
application keeps its state. This package imports nothing else of ours: it checks a template's
form here, and the engine checks that the finding ids and score names it uses exist.

Conditions (of red flags, and what a history item covers) are short strings:

- ``field:value``  a finding is reported: ``present:chest_pain``, ``character:tearing``,
  ``radiation:back``, ``history:marfan_or_ctd``, ``onset:sudden``;
- ``field``        the field is known at all: ``duration_minutes``, ``onset``, ``age``;
- ``NAME OP NUMBER`` a number compared: ``vitals:sbp < 90``, ``age >= 50``,
  ``arm_sbp_difference > 20`` (the difference between the arms' systolic pressures).

Errors:

    PromptError (prompts.cards)
    └── TemplateError          a template file or value is malformed (unknown keys, bad types)
        └── UnknownTemplate    no public or personal template has that id
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w

from prompts.cards import PromptError

TEMPLATE_KEYS = {"id", "title", "kind", "diagnosis", "differentials", "scores", "history",
                 "red_flags", "workup", "reminders", "notes"}
HISTORY_KEYS = {"id", "text", "covers"}
RED_FLAG_KEYS = {"id", "text", "all", "any", "level"}
WORKUP_KEYS = {"id", "text"}
REMINDER_KEYS = {"id", "text", "due_in_minutes", "troponin"}
KINDS = ("public", "personal")
LEVELS = ("high", "check")
MAX_TEXT = 120

_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")
_KEY = r"[a-z_]+(?::[a-z0-9_]+)?"
_COMPARISON = re.compile(rf"\s*({_KEY})\s*(<=|>=|<|>|==)\s*(-?\d+(?:\.\d+)?)\s*")
_FLAG = re.compile(rf"\s*({_KEY})\s*")


class TemplateError(PromptError):
    """A template breaks the template format; the message names the file and the entry."""


class UnknownTemplate(TemplateError):
    """No template has that id."""


@dataclass(frozen=True)
class Condition:
    """One condition: a finding key, or a key compared with a number."""

    key: str
    op: str | None = None
    number: float | None = None

    @classmethod
    def parse(cls, text: str, where: str) -> Condition:
        if not isinstance(text, str):
            raise TemplateError(f"{where}: a condition must be text, got {text!r}")
        comparison = _COMPARISON.fullmatch(text)
        if comparison:
            return cls(comparison.group(1), comparison.group(2), float(comparison.group(3)))
        flag = _FLAG.fullmatch(text)
        if flag:
            return cls(flag.group(1))
        raise TemplateError(f"{where}: {text!r} is not a condition like 'present:chest_pain'"
                            " or 'vitals:sbp < 90'")

    def __str__(self) -> str:
        if self.op is None:
            return self.key
        number = self.number if self.number is None or not self.number.is_integer() \
            else int(self.number)
        return f"{self.key} {self.op} {number}"


@dataclass(frozen=True)
class HistoryItem:
    """Something the history must cover; ``covers`` names the findings that answer it (any one
    known, either way, is enough). With nothing to cover it, the item is always asked."""

    id: str
    text: str
    covers: tuple[Condition, ...]


@dataclass(frozen=True)
class RedFlag:
    """A danger sign: raised when all of ``all`` and at least one of ``any`` (if given) hold."""

    id: str
    text: str
    all: tuple[Condition, ...] = ()
    any: tuple[Condition, ...] = ()
    level: str = "high"


@dataclass(frozen=True)
class WorkupItem:
    id: str
    text: str


@dataclass(frozen=True)
class Reminder:
    """A timed reminder: a fixed delay, or the next hs-troponin draw of the set protocol."""

    id: str
    text: str
    due_in_minutes: int | None = None
    troponin: bool = False


@dataclass(frozen=True)
class Template:
    """One validated template."""

    id: str
    title: str
    kind: str
    diagnosis: str
    differentials: tuple[str, ...] = ()
    scores: tuple[str, ...] = ()
    history: tuple[HistoryItem, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    workup: tuple[WorkupItem, ...] = ()
    reminders: tuple[Reminder, ...] = ()
    notes: str = ""

    def all_conditions(self) -> list[Condition]:
        """Every condition the template uses, for the engine to check against its vocabulary."""
        found = [c for item in self.history for c in item.covers]
        found += [c for flag in self.red_flags for c in (*flag.all, *flag.any)]
        return found

    def to_data(self) -> dict[str, Any]:
        """The template as the data of its TOML file."""
        data: dict[str, Any] = {
            "id": self.id, "title": self.title, "kind": self.kind, "diagnosis": self.diagnosis,
            "differentials": list(self.differentials), "scores": list(self.scores),
        }
        if self.notes:
            data["notes"] = self.notes
        data["history"] = [{"id": h.id, "text": h.text, "covers": [str(c) for c in h.covers]}
                           for h in self.history]
        data["red_flags"] = [_red_flag_data(flag) for flag in self.red_flags]
        data["workup"] = [{"id": w.id, "text": w.text} for w in self.workup]
        data["reminders"] = [_reminder_data(r) for r in self.reminders]
        return data

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_data())


def _red_flag_data(flag: RedFlag) -> dict[str, Any]:
    data: dict[str, Any] = {"id": flag.id, "text": flag.text, "level": flag.level}
    if flag.all:
        data["all"] = [str(c) for c in flag.all]
    if flag.any:
        data["any"] = [str(c) for c in flag.any]
    return data


def _reminder_data(reminder: Reminder) -> dict[str, Any]:
    data: dict[str, Any] = {"id": reminder.id, "text": reminder.text}
    if reminder.due_in_minutes is not None:
        data["due_in_minutes"] = reminder.due_in_minutes
    if reminder.troponin:
        data["troponin"] = True
    return data


# --- Loading ---------------------------------------------------------------------------------

def public_ids() -> list[str]:
    folder = resources.files("prompts") / "templates"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def personal_ids(folder: Path | None) -> list[str]:
    if folder is None or not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml") if _ID.fullmatch(p.stem))


def template_ids(personal_folder: Path | None = None) -> list[str]:
    """Public ids first (公共), then the doctor's own (我的)."""
    return public_ids() + [i for i in personal_ids(personal_folder) if i not in public_ids()]


def load_template(template_id: str, personal_folder: Path | None = None) -> Template:
    """The template with this id: a public one, else one in ``personal_folder``."""
    if not isinstance(template_id, str) or not _ID.fullmatch(template_id):
        raise _unknown(template_id, personal_folder)
    if template_id in public_ids():
        raw = (resources.files("prompts") / "templates" / f"{template_id}.toml").read_text(
            encoding="utf-8")
        return parse_template(raw, source=f"{template_id}.toml", kind="public")
    if personal_folder is not None:
        path = personal_folder / f"{template_id}.toml"
        if path.is_file():
            try:
                raw = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateError(f"{path}: not UTF-8; save the template as UTF-8") from None
            return parse_template(raw, source=str(path), kind="personal")
    raise _unknown(template_id, personal_folder)


def _unknown(template_id: object, personal_folder: Path | None) -> UnknownTemplate:
    known = ", ".join(template_ids(personal_folder))
    return UnknownTemplate(f"no template {template_id!r}; templates: {known}")


def save_personal(template: Template, folder: Path) -> Path:
    """Write a personal template to ``folder`` (atomically) and return its path."""
    if template.id in public_ids():
        raise TemplateError(f"template id {template.id!r} is a public template's;"
                            " choose another id for your own")
    personal = replace(template, kind="personal")
    text = personal.to_toml()
    parse_template(text, source=f"{template.id}.toml", kind="personal")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{template.id}.toml"
    partial = path.with_suffix(".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


def parse_template(raw: str, *, source: str = "<template>", kind: str | None = None
                   ) -> Template:
    """Check a template's TOML text: known keys only, right types, well-formed conditions."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{source}: not valid TOML: {exc}") from None
    _only(data, TEMPLATE_KEYS, source)

    template_id = _identifier(data.get("id"), f"{source}: 'id'")
    stated_kind = data.get("kind", kind or "public")
    if stated_kind not in KINDS:
        raise TemplateError(f"{source}: 'kind' must be one of {', '.join(KINDS)}")
    if kind is not None and stated_kind != kind:
        raise TemplateError(f"{source}: a {kind} template cannot say kind = {stated_kind!r}")

    return Template(
        id=template_id,
        title=_text(data.get("title"), f"{source}: 'title'"),
        kind=stated_kind,
        diagnosis=_text(data.get("diagnosis"), f"{source}: 'diagnosis'", limit=60),
        differentials=tuple(_texts(data, "differentials", source, limit=60, most=6)),
        scores=tuple(_identifier(s, f"{source}: 'scores'")
                     for s in _list(data, "scores", source)),
        history=tuple(_history(item, source) for item in _list(data, "history", source)),
        red_flags=tuple(red_flag_from_data(item, source)
                        for item in _list(data, "red_flags", source)),
        workup=tuple(_workup(item, source) for item in _list(data, "workup", source)),
        reminders=tuple(_reminder(item, source) for item in _list(data, "reminders", source)),
        notes=_text(data.get("notes", ""), f"{source}: 'notes'", empty=True, limit=400),
    )


def _only(table: Any, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise TemplateError(f"{where}: expected a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise TemplateError(f"{where}: unknown keys {', '.join(unknown)}"
                            f" (allowed: {', '.join(sorted(allowed))})")


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise TemplateError(f"{where} must be a lower-case id like 'chest_pain', got {value!r}")
    return value


def _text(value: Any, where: str, *, empty: bool = False, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise TemplateError(f"{where} must be {'' if empty else 'non-empty '}text")
    if len(value) > limit:
        raise TemplateError(f"{where} has {len(value)} characters, more than {limit}")
    return value


def _list(data: dict[str, Any], key: str, where: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise TemplateError(f"{where}: '{key}' must be a list")
    return value


def _texts(data: dict[str, Any], key: str, where: str, *, limit: int, most: int) -> list[str]:
    values = [_text(v, f"{where}: '{key}'", limit=limit) for v in _list(data, key, where)]
    if len(values) > most:
        raise TemplateError(f"{where}: '{key}' has {len(values)} entries, at most {most}")
    return values


def _conditions(item: dict[str, Any], key: str, where: str) -> tuple[Condition, ...]:
    return tuple(Condition.parse(text, f"{where} '{key}'") for text in _list(item, key, where))


def _history(item: Any, source: str) -> HistoryItem:
    where = f"{source} [[history]] {item.get('id', '?') if isinstance(item, dict) else '?'}"
    _only(item, HISTORY_KEYS, where)
    covers = _conditions(item, "covers", where)
    return HistoryItem(_identifier(item.get("id"), f"{where}: 'id'"),
                       _text(item.get("text"), f"{where}: 'text'"), covers)


def red_flag_from_data(item: Any, source: str) -> RedFlag:
    """One red flag from its TOML table (templates and the engine's universal flags)."""
    where = f"{source} [[red_flags]] {item.get('id', '?') if isinstance(item, dict) else '?'}"
    _only(item, RED_FLAG_KEYS, where)
    flag = RedFlag(
        id=_identifier(item.get("id"), f"{where}: 'id'"),
        text=_text(item.get("text"), f"{where}: 'text'"),
        all=_conditions(item, "all", where),
        any=_conditions(item, "any", where),
        level=item.get("level", "high"),
    )
    if flag.level not in LEVELS:
        raise TemplateError(f"{where}: 'level' must be one of {', '.join(LEVELS)}")
    if not flag.all and not flag.any:
        raise TemplateError(f"{where}: needs 'all' or 'any' conditions")
    return flag


def _workup(item: Any, source: str) -> WorkupItem:
    where = f"{source} [[workup]]"
    _only(item, WORKUP_KEYS, where)
    return WorkupItem(_identifier(item.get("id"), f"{where}: 'id'"),
                      _text(item.get("text"), f"{where}: 'text'"))


def _reminder(item: Any, source: str) -> Reminder:
    where = f"{source} [[reminders]] {item.get('id', '?') if isinstance(item, dict) else '?'}"
    _only(item, REMINDER_KEYS, where)
    due = item.get("due_in_minutes")
    troponin = item.get("troponin", False)
    if due is not None and (isinstance(due, bool) or not isinstance(due, int)
                            or not 0 <= due <= 7 * 24 * 60):
        raise TemplateError(f"{where}: 'due_in_minutes' must be a whole number 0-10080")
    if not isinstance(troponin, bool):
        raise TemplateError(f"{where}: 'troponin' must be true or false")
    if (due is None) == (not troponin):
        raise TemplateError(f"{where}: give either 'due_in_minutes' or 'troponin = true'")
    return Reminder(_identifier(item.get("id"), f"{where}: 'id'"),
                    _text(item.get("text"), f"{where}: 'text'"), due, troponin)
