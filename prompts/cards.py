"""Loading, validating, versioning and rendering prompt cards.

Errors:

    PromptError
    ├── UnknownCard        no card with that id
    ├── CardError          a card file is malformed (unknown keys, wrong types, bad placeholders)
    └── VariableError
        ├── MissingVariables   the render call lacks variables the card needs
        └── UnknownVariables   the render call passes variables the card does not use
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

CARD_KEYS = {"id", "title", "role", "task", "rules", "examples", "notes", "variables"}
EXAMPLE_KEYS = {"input", "output"}
# Placeholders look like {{name}}; the name is a lower-case identifier.
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
STRAY_BRACES = re.compile(r"\{\{|\}\}")
# The parts that change per patient go last, in this order, so the server reuses its prefix.
PATIENT_VARIABLES = ("findings", "knowledge", "patient_text")


class PromptError(Exception):
    """Base of every error in the prompts package."""

    exit_code = 2


class UnknownCard(PromptError):
    """No card has that id."""


class CardError(PromptError):
    """A card file breaks the card format."""


class VariableError(PromptError):
    """The variables passed do not match the card's."""


class MissingVariables(VariableError):
    def __init__(self, card_id: str, names: list[str]) -> None:
        self.names = names
        super().__init__(f"prompt card {card_id} needs variables: {', '.join(names)}")


class UnknownVariables(VariableError):
    def __init__(self, card_id: str, names: list[str]) -> None:
        self.names = names
        super().__init__(f"prompt card {card_id} does not use variables: {', '.join(names)}")


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered card: the unchanging prefix, then the patient's part."""

    card_id: str
    version: str
    prefix: str
    patient: str

    @property
    def text(self) -> str:
        return f"{self.prefix}\n\n{self.patient}"

    def messages(self, *, system_role: bool = False) -> list[dict[str, str]]:
        """Chat messages. One user message by default: some chat formats (Gemma) drop system
        messages, and DeepSeek R1 distills are meant to be prompted without one."""
        if system_role:
            return [
                {"role": "system", "content": self.prefix},
                {"role": "user", "content": self.patient},
            ]
        return [{"role": "user", "content": self.text}]


@dataclass(frozen=True)
class Example:
    input: str
    output: str


@dataclass(frozen=True)
class Card:
    """One prompt card, validated."""

    id: str
    title: str
    role: str
    task: str
    rules: tuple[str, ...]
    examples: tuple[Example, ...]
    notes: str
    variables: tuple[str, ...]

    @property
    def version(self) -> str:
        """A short hash of the card's canonical form: any change to it changes the version."""
        canonical = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]

    def canonical(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "role": self.role,
            "task": self.task,
            "rules": list(self.rules),
            "examples": [{"input": e.input, "output": e.output} for e in self.examples],
            "notes": self.notes,
            "variables": list(self.variables),
        }

    def render(self, variables: dict[str, str]) -> RenderedPrompt:
        """Fill the card. Every declared variable must be given, and nothing else."""
        missing = sorted(set(self.variables) - set(variables))
        if missing:
            raise MissingVariables(self.id, missing)
        unknown = sorted(set(variables) - set(self.variables))
        if unknown:
            raise UnknownVariables(self.id, unknown)

        prefix = "\n\n".join(self._fixed_parts(variables))
        patient = "\n\n".join(
            f"【{_PATIENT_HEADINGS[name]}】\n{variables[name]}"
            for name in PATIENT_VARIABLES
            if name in self.variables
        )
        return RenderedPrompt(self.id, self.version, prefix, patient)

    def _fixed_parts(self, variables: dict[str, str]) -> list[str]:
        def fill(text: str) -> str:
            # Values are inserted once, never re-scanned, so patient text cannot inject {{x}}.
            return PLACEHOLDER.sub(lambda m: variables[m.group(1)], text)

        rules = "\n".join(f"{n}. {fill(rule)}" for n, rule in enumerate(self.rules, 1))
        examples = "\n\n".join(
            f"示例{n}：\n输入：{fill(e.input)}\n输出：{e.output}"
            for n, e in enumerate(self.examples, 1)
        )
        parts = [
            f"【角色】\n{fill(self.role)}",
            f"【任务】\n{fill(self.task)}",
            f"【规则】\n{rules}",
        ]
        if examples:
            parts.append(f"【示例】\n{examples}")
        if self.notes:
            parts.append(f"【备注】\n{fill(self.notes)}")
        return parts


_PATIENT_HEADINGS = {
    "findings": "规则引擎已识别的要素",
    "knowledge": "知识库参考",
    "patient_text": "医生口述/输入",
}


def card_ids() -> list[str]:
    folder = resources.files("prompts") / "cards"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def load_card(card_id: str) -> Card:
    """The card with this id, validated; UnknownCard lists the ids there are."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", card_id or ""):
        raise UnknownCard(f"no prompt card {card_id!r}; cards: {', '.join(card_ids())}")
    path = resources.files("prompts") / "cards" / f"{card_id}.toml"
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnknownCard(f"no prompt card {card_id!r}; cards: {', '.join(card_ids())}") from None
    return parse_card(raw, source=f"{card_id}.toml")


def parse_card(raw: str, *, source: str = "<card>") -> Card:
    """Validate a card's TOML text: known keys only, right types, placeholders declared."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise CardError(f"{source}: not valid TOML: {exc}") from None

    unknown = sorted(set(data) - CARD_KEYS)
    if unknown:
        raise CardError(f"{source}: unknown keys {', '.join(unknown)}")
    for key in ("id", "title", "role", "task"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise CardError(f"{source}: '{key}' must be non-empty text")
    rules = _string_list(data, "rules", source)
    variables = _string_list(data, "variables", source)
    notes = data.get("notes", "")
    if not isinstance(notes, str):
        raise CardError(f"{source}: 'notes' must be text")
    examples = tuple(_example(item, source) for item in data.get("examples", []))

    card = Card(data["id"], data["title"], data["role"], data["task"], tuple(rules),
                examples, notes, tuple(variables))
    _check_placeholders(card, source)
    return card


def _string_list(data: dict[str, Any], key: str, source: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CardError(f"{source}: '{key}' must be a list of text")
    return value


def _example(item: Any, source: str) -> Example:
    if not isinstance(item, dict) or set(item) != EXAMPLE_KEYS:
        raise CardError(f"{source}: each example needs exactly 'input' and 'output'")
    if not all(isinstance(item[k], str) for k in EXAMPLE_KEYS):
        raise CardError(f"{source}: example input and output must be text")
    try:
        json.loads(item["output"])
    except json.JSONDecodeError as exc:
        raise CardError(f"{source}: an example's output is not JSON: {exc}") from None
    return Example(item["input"], item["output"])


def _check_placeholders(card: Card, source: str) -> None:
    texts = [card.role, card.task, card.notes, *card.rules, *(e.input for e in card.examples)]
    used = {name for text in texts for name in PLACEHOLDER.findall(text)}
    undeclared = sorted(used - set(card.variables))
    if undeclared:
        raise CardError(f"{source}: placeholders not declared in 'variables': "
                        f"{', '.join(undeclared)}")
    for text in texts:
        if STRAY_BRACES.search(PLACEHOLDER.sub("", text)):
            raise CardError(f"{source}: malformed placeholder in {text[:40]!r}")
    stray = sorted(set(card.variables) - used - set(PATIENT_VARIABLES))
    if stray:
        raise CardError(f"{source}: variables declared but never used: {', '.join(stray)}")
