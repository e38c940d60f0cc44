"""The template picker's catalogue: public templates (公共) and the doctor's own (我的).

Templates are data in `prompts.templates`; a personal one is a copy of the template in use
with the doctor's title, saved in the data folder's `templates/` (`engine.home`). Beside it the
panel keeps what the template format has no place for: the structured set-up at the time of
saving (course, duration unit) and the public template it came from, in `ID.panel.json`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.inputs import COURSE_WORDS, UNIT_WORDS, CaseInputs
from engine.home import sub_folder
from prompts.templates import (
    TemplateError,
    load_template,
    personal_ids,
    public_ids,
    save_personal,
)

log = logging.getLogger(__name__)

FOLDER = "templates"
SIDECAR = ".panel.json"
# The order of PRODUCT.md's chest-pain family, general first.
PUBLIC_ORDER = ("chest_pain_general", "acs", "aortic_dissection", "pulmonary_embolism",
                "reflux_esophagitis", "pneumothorax", "costochondritis")


@dataclass(frozen=True)
class TemplateEntry:
    template_id: str
    title: str
    kind: str  # "public" | "personal"
    base: str | None = None  # the public template a personal one was saved from
    course: str | None = None
    duration_unit: str | None = None


class TemplateCatalog(QObject):
    """Lists templates and saves personal ones; `changed` after a save."""

    changed = Signal()

    def __init__(self, folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or sub_folder(FOLDER)
        self._public = _public_entries()

    def public(self) -> list[TemplateEntry]:
        return list(self._public)

    def personal(self) -> list[TemplateEntry]:
        entries = []
        for template_id in personal_ids(self.folder):
            if template_id in {entry.template_id for entry in self._public}:
                continue
            try:
                template = load_template(template_id, self.folder)
            except TemplateError as exc:
                log.warning("personal template %s is unreadable: %s", template_id,
                            type(exc).__name__)
                continue
            extra = _read_sidecar(self.folder / f"{template_id}{SIDECAR}")
            entries.append(TemplateEntry(template_id, template.title, "personal",
                                         extra.get("base"), extra.get("course"),
                                         extra.get("duration_unit")))
        return sorted(entries, key=lambda entry: entry.title)

    def entry(self, template_id: str) -> TemplateEntry | None:
        for entry in (*self._public, *self.personal()):
            if entry.template_id == template_id:
                return entry
        return None

    def engine_template(self, template_id: str) -> str:
        """The template id the engine drafts with: a personal one's own, if the engine knows
        it, else the public template it was saved from."""
        entry = self.entry(template_id)
        if entry is None or entry.kind == "public" or entry.base is None:
            return template_id
        return entry.base

    def save_personal(self, title: str, inputs: CaseInputs) -> TemplateEntry:
        """The current template and set-up saved under `title`; TemplateError if refused."""
        title = " ".join(title.split())
        if not title:
            raise TemplateError("a personal template needs a title")
        base_id = self.engine_template(inputs.template)
        base = load_template(base_id, self.folder)
        template_id = "my_" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:10]
        personal = replace(base, id=template_id, title=title[:40], kind="personal")
        save_personal(personal, self.folder)
        sidecar = {"base": base_id, "course": inputs.course,
                   "duration_unit": inputs.duration_unit}
        _write_sidecar(self.folder / f"{template_id}{SIDECAR}", sidecar)
        self.changed.emit()
        return TemplateEntry(template_id, personal.title, "personal", base_id, inputs.course,
                             inputs.duration_unit)


def _public_entries() -> list[TemplateEntry]:
    ids = public_ids()
    ordered = [i for i in PUBLIC_ORDER if i in ids] + [i for i in ids if i not in PUBLIC_ORDER]
    entries = []
    for template_id in ordered:
        try:
            entries.append(TemplateEntry(template_id, load_template(template_id).title,
                                         "public"))
        except TemplateError as exc:
            log.error("public template %s is broken: %s", template_id, exc)
    return entries


def _read_sidecar(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        "base": data.get("base") if isinstance(data.get("base"), str) else None,
        "course": data.get("course") if data.get("course") in COURSE_WORDS else None,
        "duration_unit": data.get("duration_unit")
        if data.get("duration_unit") in UNIT_WORDS else None,
    }


def _write_sidecar(path: Path, data: dict[str, Any]) -> None:
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.replace(partial, path)
