"""The current case: its inputs, its drafts, the journal that keeps it and the audit of it.

The session is the panel's state; widgets only show it and report edits to it. Every edit is
recorded in the encrypted case journal at once (the journal returns immediately and writes on
its own thread), and asks the draft service for a new draft. Opening the journal and the audit
log, and every audit entry, run on the storage worker, never on the GUI thread.

On start the journal's open cases (what was on screen when the panel or the computer died)
come back: the newest is shown, the others are listed for the doctor to switch to.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.drafting import BoxProblem, DraftAnswer, DraftService
from desktop.errors import HandoverRefused
from desktop.handover import Handover, parse_handover
from desktop.inputs import CaseInputs, Course, DurationUnit
from desktop.workers import Job, Runner
from engine.drafting.model import Draft
from engine.drafting.pipeline import Case
from engine.storage import AuditLog, CaseJournal, CaseState, Notice, StorageError

log = logging.getLogger(__name__)

MAX_PICTURE_BYTES = 20_000_000


@dataclass(frozen=True)
class Picture:
    attachment_id: str
    name: str
    data: bytes


@dataclass(frozen=True)
class OpenCase:
    """An unfinished case in the journal, for the "open cases" menu."""

    case_id: str
    updated_at: float
    preview: str


class CaseSession(QObject):
    """One doctor's current case; see the module docstring."""

    inputs_replaced = Signal()  # a case was restored, switched or started: refresh every view
    rules_ready = Signal(object)  # DraftAnswer
    model_started = Signal()
    model_partial = Signal(object)  # dict[str, PartialField]
    model_ready = Signal(object)  # DraftAnswer
    model_failed = Signal(object)  # BoxProblem
    pictures_changed = Signal()
    storage_ready = Signal()
    notice = Signal(str, str)  # kind ("journal", "handover", "error"), message
    open_cases_changed = Signal()

    def __init__(self, drafts: DraftService, *, home: Path | None = None,
                 journal_factory: Callable[[], CaseJournal] | None = None,
                 audit_factory: Callable[[], AuditLog] | None = None,
                 engine_template: Callable[[str], str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.drafts = drafts
        self.inputs = CaseInputs()
        self.case_id: str | None = None
        self.draft: Draft | None = None
        self.draft_text = ""  # the engine text the shown draft was made from
        self.edited: dict[str, str] = {}  # sections the doctor changed: key -> text
        self.pictures: list[Picture] = []
        self.handover_json: dict[str, Any] | None = None
        self.journal: CaseJournal | None = None
        self.audit: AuditLog | None = None
        self.other_open_cases: list[OpenCase] = []
        self._journal_factory = journal_factory or (lambda: CaseJournal.open(home))
        self._audit_factory = audit_factory or (lambda: AuditLog.open(home))
        # A personal template drafts as the public template it was saved from.
        self._engine_template = engine_template or (lambda template: template)
        self._storage = Runner("storage", threads=1, parent=self)
        self._last_audited: str | None = None

        drafts.rules_ready.connect(self._on_rules)
        drafts.model_ready.connect(self._on_model)
        drafts.model_partial.connect(lambda fields, _gen: self.model_partial.emit(fields))
        drafts.model_started.connect(lambda _gen: self.model_started.emit())
        drafts.model_failed.connect(self._on_model_failed)
        drafts.rules_failed.connect(lambda message: self.notice.emit("error", message))

    # -- start and stop ------------------------------------------------------------------

    def open_storage(self) -> None:
        """Open the journal and audit log on the storage worker; `storage_ready` when done."""
        journal_factory, audit_factory = self._journal_factory, self._audit_factory

        def work(job: Job) -> tuple[CaseJournal, AuditLog]:
            journal = journal_factory()
            return journal, audit_factory()

        self._storage.submit(work, done=self._storage_opened, failed=self._storage_failed)

    def close(self) -> None:
        """Stop drafting, write what is pending, close the stores (waits for the workers)."""
        self.drafts.shutdown()
        self._storage.wait()
        self._storage.shutdown()
        for store in (self.journal, self.audit):
            if store is None:
                continue
            try:
                store.close()
            except StorageError as exc:
                log.error("closing %s: %s", type(store).__name__, type(exc).__name__)
        self.journal = self.audit = None

    def wait_for_storage(self, timeout_ms: int = 30_000) -> bool:
        """Block until queued storage work is done (tests, shutdown)."""
        return self._storage.wait(timeout_ms)

    def _storage_opened(self, stores: tuple[CaseJournal, AuditLog]) -> None:
        self.journal, self.audit = stores
        for found in (*self.journal.notices(), *self.audit.notices()):
            self._journal_notice(found)
        restored = self._restore_newest()
        if not restored and not self.inputs.is_empty():
            self._ensure_case()  # the doctor typed before the journal was open
            self._record_all()
        self.storage_ready.emit()

    def _storage_failed(self, exc: Exception) -> None:
        log.error("cannot open the case journal: %s", type(exc).__name__)
        self.notice.emit("journal", self.tr("病例暂存不可用：输入仅保存在内存中，请勿关闭面板。"
                                            "（{0}）").format(type(exc).__name__))

    def _journal_notice(self, found: Notice) -> None:
        self.notice.emit("journal", found.message)

    # -- edits from the panel ------------------------------------------------------------

    def set_text(self, text: str) -> None:
        if text == self.inputs.text:
            return
        self.inputs = replace(self.inputs, text=text)
        self._changed("typed_text", text)

    def set_template(self, template: str) -> None:
        if template == self.inputs.template:
            return
        self.inputs = replace(self.inputs, template=template)
        self._changed("template_id", template)

    def set_course(self, course: Course | None) -> None:
        self.inputs = replace(self.inputs, course=course)
        self._changed("fields", self.inputs.fields_json())

    def set_duration(self, value: float | None, unit: DurationUnit) -> None:
        self.inputs = replace(self.inputs, duration_value=value, duration_unit=unit)
        self._changed("fields", self.inputs.fields_json())

    def set_vital(self, key: str, value: float | None) -> None:
        vitals = dict(self.inputs.vitals)
        if value is None:
            vitals.pop(key, None)
        else:
            vitals[key] = value
        triage = self.inputs.triage_vitals - {key}  # the doctor changed it: no longer triage's
        self.inputs = replace(self.inputs, vitals=vitals, triage_vitals=triage)
        self._changed("vitals", self.inputs.vitals_json())

    def add_dictation(self, final_text: str) -> None:
        """Keep a final dictation result in the journal (the text box records itself too)."""
        if not final_text.strip():
            return
        case_id = self._ensure_case()
        if self.journal is not None and case_id is not None:
            said = self.journal.case(case_id).values.get("dictation")
            history = list(said) if isinstance(said, list) else []
            self.journal.record(case_id, "dictation", [*history, final_text][-200:])

    def apply_handover(self, handover: Handover) -> None:
        """A visit from the HIS: a new case unless the current one is that visit or empty."""
        same_visit = self.inputs.visit_id == handover.visit.id
        if not same_visit and not self.inputs.is_empty():
            self.new_case()
        self.inputs = self.inputs.with_handover(handover)
        self.handover_json = handover.to_json()
        self._ensure_case()
        self._record("handover", self.handover_json)
        self._record("vitals", self.inputs.vitals_json())
        self.inputs_replaced.emit()
        self._request_draft(now=True)

    def apply_handover_bytes(self, raw: bytes) -> bool:
        """A hand-over from a file or the command line; False (and a notice) when refused."""
        try:
            handover = parse_handover(raw)
        except HandoverRefused as exc:  # shown, and nothing changes
            self.notice.emit("handover", str(exc))
            return False
        self.apply_handover(handover)
        return True

    def attach_picture(self, name: str, data: bytes) -> Picture | None:
        if len(data) > MAX_PICTURE_BYTES:
            self.notice.emit("error", self.tr("图片过大（超过 20 MB），未添加"))
            return None
        case_id = self._ensure_case()
        attachment_id = ""
        if self.journal is not None and case_id is not None:
            attachment_id = self.journal.attach(case_id, name, data, kind="picture")
        picture = Picture(attachment_id or f"memory-{len(self.pictures)}", name, data)
        self.pictures.append(picture)
        self.pictures_changed.emit()
        return picture

    def set_section_text(self, key: str, text: str) -> None:
        """The doctor edited a draft section: keep it, and never overwrite it with a redraft."""
        self.edited[key] = text
        self._save_draft()

    def reset_section(self, key: str) -> None:
        self.edited.pop(key, None)
        self._save_draft()

    def redraft_now(self) -> None:
        self._request_draft(now=True)

    # -- cases ---------------------------------------------------------------------------

    def new_case(self) -> None:
        """Close the current case in the journal (it stays until its retention ends)."""
        if self.journal is not None and self.case_id is not None:
            self.journal.close_case(self.case_id)
        self.case_id = None
        self.inputs = CaseInputs(template=self.inputs.template)
        self.draft, self.draft_text, self.edited, self.pictures = None, "", {}, []
        self.handover_json, self._last_audited = None, None
        self.drafts.request(self._case())  # supersedes any draft of the old case
        self.inputs_replaced.emit()
        self.pictures_changed.emit()

    def switch_to(self, case_id: str) -> None:
        """Show another open case of the journal."""
        if self.journal is None or case_id == self.case_id:
            return
        try:
            state = self.journal.case(case_id)
        except StorageError:
            self.notice.emit("journal", self.tr("该病例已不在暂存中（已过保留期）"))
            return
        self._show_state(state)
        self._refresh_open_cases()

    def _restore_newest(self) -> bool:
        assert self.journal is not None
        cases = self.journal.open_cases()
        if not cases or not self.inputs.is_empty():
            self._refresh_open_cases()
            return False
        newest = max(cases, key=lambda c: c.updated_at)
        self._show_state(newest)
        self._refresh_open_cases()
        self.notice.emit("restored", self.tr("已恢复上次未完成的病例") +
                         (self.tr("（另有 {0} 个未完成病例）").format(len(cases) - 1)
                          if len(cases) > 1 else ""))
        return True

    def _show_state(self, state: CaseState) -> None:
        values = state.values
        text = values.get("typed_text")
        template = values.get("template_id") or state.template
        inputs = CaseInputs(text=text if isinstance(text, str) else "",
                            template=template if isinstance(template, str) and template
                            else self.inputs.template)
        handover = values.get("handover")
        self.handover_json = None
        if isinstance(handover, dict):
            try:
                inputs = inputs.with_handover(parse_handover(handover))
                self.handover_json = handover
            except HandoverRefused:  # an old hand-over that no longer validates: leave it out
                log.warning("the restored case's hand-over no longer validates")
        inputs = inputs.with_fields_json(values.get("fields"))
        inputs = inputs.with_vitals_json(values.get("vitals"))
        self.inputs = inputs
        self.case_id = state.case_id
        saved = state.draft or {}
        edited = saved.get("edited")
        self.edited = {k: v for k, v in edited.items() if isinstance(v, str)} \
            if isinstance(edited, dict) else {}
        self.draft, self.draft_text, self._last_audited = None, "", None
        self.pictures = []
        self.inputs_replaced.emit()
        self.pictures_changed.emit()
        self._request_draft(now=True)
        self._load_pictures(state)

    def _load_pictures(self, state: CaseState) -> None:
        """Read the case's pictures from the journal on the storage worker."""
        journal = self.journal
        assert journal is not None
        wanted = [info for info in state.attachments if info.kind == "picture"]
        if not wanted:
            return

        def work(job: Job) -> tuple[str, list[Picture]]:
            pictures = []
            for info in wanted:
                try:
                    data = journal.attachment(state.case_id, info.attachment_id)
                except StorageError:
                    continue
                pictures.append(Picture(info.attachment_id, info.name, data))
            return state.case_id, pictures

        self._storage.submit(work, done=self._pictures_loaded)

    def _pictures_loaded(self, loaded: tuple[str, list[Picture]]) -> None:
        case_id, pictures = loaded
        if case_id == self.case_id:  # the doctor may have moved on meanwhile
            self.pictures = pictures + [p for p in self.pictures
                                        if p.attachment_id not in {q.attachment_id
                                                                   for q in pictures}]
            self.pictures_changed.emit()

    def _refresh_open_cases(self) -> None:
        if self.journal is None:
            return
        found = []
        for state in self.journal.open_cases():
            if state.case_id == self.case_id:
                continue
            text = state.values.get("typed_text")
            preview = " ".join(text.split())[:24] if isinstance(text, str) else ""
            found.append(OpenCase(state.case_id, state.updated_at, preview))
        self.other_open_cases = sorted(found, key=lambda c: -c.updated_at)
        self.open_cases_changed.emit()

    # -- drafts --------------------------------------------------------------------------

    def _on_rules(self, answer: DraftAnswer) -> None:
        # A model draft of the same words is better than a rules draft: keep it.
        if self.draft is not None and self.draft_text == answer.engine_text \
                and self.draft.provenance.engine != "rules":
            return
        self._take(answer)
        self.rules_ready.emit(answer)

    def _on_model(self, answer: DraftAnswer) -> None:
        self._take(answer)
        self.model_ready.emit(answer)

    def _on_model_failed(self, problem: BoxProblem) -> None:
        self.model_failed.emit(problem)

    def _take(self, answer: DraftAnswer) -> None:
        self.draft, self.draft_text = answer.draft, answer.engine_text
        self._save_draft()
        self._audit_generation(answer.draft)

    def _save_draft(self) -> None:
        if self.journal is None or self.case_id is None or self.draft is None:
            return
        self.journal.save_draft(self.case_id, {"draft": self.draft.model_dump(mode="json"),
                                               "edited": dict(self.edited)})

    def _audit_generation(self, draft: Draft) -> None:
        output = draft.model_dump(mode="json", exclude={"provenance"})
        fingerprint = json.dumps(output, ensure_ascii=False, sort_keys=True, default=str)
        if fingerprint == self._last_audited or self.case_id is None:
            return  # the same draft again (a keystroke that changed nothing the engine uses)
        self._last_audited = fingerprint
        inputs = {"text": self.draft_text, "template": self.inputs.template,
                  "vitals": self.inputs.vitals}
        case_id, template, his_user = self.case_id, self.inputs.template, self.inputs.his_user_id
        provenance = draft.provenance.model_dump(mode="json")

        def work(job: Job) -> None:
            if self.audit is not None:
                self.audit.record_generation(case_id=case_id, template=template,
                                             provenance=provenance, inputs=inputs,
                                             output=output, his_user=his_user)

        self._storage.submit(work, failed=self._audit_failed)

    def record_copy(self, section: str, text: str) -> None:
        """Audit a copy to the HIS (the whole draft, or one section)."""
        if self.draft is None or self.case_id is None:
            return
        case_id, template, his_user = self.case_id, self.inputs.template, self.inputs.his_user_id
        provenance = self.draft.provenance.model_dump(mode="json")

        def work(job: Job) -> None:
            if self.audit is not None:
                self.audit.record_copy(case_id=case_id, template=template,
                                       provenance=provenance, section=section, text=text,
                                       his_user=his_user)

        self._storage.submit(work, failed=self._audit_failed)

    def _audit_failed(self, exc: Exception) -> None:
        log.error("audit entry not written: %s", type(exc).__name__)
        self.notice.emit("journal", self.tr("审计记录写入失败（{0}），请联系信息科")
                         .format(type(exc).__name__))

    # -- inside --------------------------------------------------------------------------

    def _case(self) -> Case:
        return Case(text=self.inputs.engine_text(),
                    template=self._engine_template(self.inputs.template),
                    vitals=self.inputs.engine_vitals(), visit_time=self.inputs.visit_time)

    def _changed(self, field: str, value: Any) -> None:
        self._ensure_case()
        self._record(field, value)
        self._request_draft()

    def _request_draft(self, *, now: bool = False) -> None:
        if not self.inputs.engine_text().strip():
            self.drafts.request(self._case())  # supersede, but an empty text drafts nothing
            self.draft, self.draft_text = None, ""
            return
        if now:
            self.drafts.request_now(self._case())
        else:
            self.drafts.request(self._case())

    def _ensure_case(self) -> str | None:
        if self.case_id is None and self.journal is not None and not self.inputs.is_empty():
            self.case_id = self.journal.new_case(template=self.inputs.template)
            self._record_all()
        return self.case_id

    def _record_all(self) -> None:
        self._record("typed_text", self.inputs.text)
        self._record("template_id", self.inputs.template)
        self._record("fields", self.inputs.fields_json())
        self._record("vitals", self.inputs.vitals_json())
        if self.handover_json is not None:
            self._record("handover", self.handover_json)

    def _record(self, field: str, value: Any) -> None:
        if self.journal is None or self.case_id is None:
            return
        try:
            self.journal.record(self.case_id, field, value)
        except StorageError as exc:
            log.error("journal record failed: %s", type(exc).__name__)
            self.notice.emit("journal", self.tr("病例暂存失败（{0}）").format(type(exc).__name__))

    def visit_time_for_record(self) -> datetime | None:
        """The visit time the record's header carries: the HIS's, else the draft's time."""
        if self.inputs.visit_time is not None:
            return self.inputs.visit_time
        return self.draft.provenance.created_at if self.draft is not None else None
