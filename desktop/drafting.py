"""Drafts while the doctor types: the rules engine at once, the model when it answers.

Every change asks for a draft. After a short pause (`RULES_DELAY_MS`) the rules engine drafts on
a worker thread (it answers in milliseconds); after a longer pause (`MODEL_DELAY_MS`) the model
drafts on another, streaming its narrative section by section. A newer request supersedes the
older one: its stream is cancelled and its answer, should one still come, is dropped. When the
box fails, the rules draft stays on screen and `model_failed` carries a sentence for the doctor.

Each request has a generation number; every signal carries the generation it answers, and the
service emits only answers of the newest generation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.stream_parse import NarrativeStream, PartialField
from desktop.workers import Job, Runner
from engine.client import (
    AuthFailed,
    BadStructuredOutput,
    BoxError,
    ContextTooLong,
    InferenceError,
    StreamEvent,
)
from engine.drafting.model import Draft
from engine.drafting.pipeline import Case, Drafter

log = logging.getLogger(__name__)

RULES_DELAY_MS = 150
# Words that reach every stage of the rules engine (symptoms, numbers, vitals, negation).
WARM_UP_TEXT = "持续胸痛3小时，压榨样，伴出汗，无发热。既往高血压。BP 150/90mmHg，HR 100次/分。"
MODEL_DELAY_MS = 1200


@dataclass(frozen=True)
class DraftAnswer:
    """A draft and what it was made from."""

    draft: Draft
    engine_text: str
    generation: int


@dataclass(frozen=True)
class BoxProblem:
    """Why the model could not draft: a kind and a sentence for the doctor."""

    kind: str  # "unreachable" | "auth" | "too_long" | "bad_answer" | "error"
    generation: int


class DraftService(QObject):
    """Turns requests into drafts on worker threads; see the module docstring."""

    rules_ready = Signal(object)  # DraftAnswer
    model_started = Signal(int)
    model_partial = Signal(object, int)  # dict[str, PartialField], generation
    model_ready = Signal(object)  # DraftAnswer
    model_failed = Signal(object)  # BoxProblem
    rules_failed = Signal(str)

    def __init__(self, rules: Drafter, model: Drafter | None = None, *,
                 rules_delay_ms: int = RULES_DELAY_MS, model_delay_ms: int = MODEL_DELAY_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rules_drafter = rules
        self.model_drafter = model
        self.generation = 0
        self._pending: Case | None = None
        self._rules_runner = Runner("rules-drafts", threads=1, parent=self)
        self._model_runner = Runner("model-drafts", threads=1, parent=self)
        self._model_job: Job | None = None
        self._stopped = False
        self._rules_timer = _single_shot(self, rules_delay_ms, self._start_rules)
        self._model_timer = _single_shot(self, model_delay_ms, self._start_model)

    @property
    def has_model(self) -> bool:
        return self.model_drafter is not None

    def set_model(self, model: Drafter | None) -> None:
        """A new box configuration (settings changed); the running stream is cancelled."""
        self._cancel_model()
        old, self.model_drafter = self.model_drafter, model
        if old is not None and old.client is not None and old is not model:
            client = old.client
            self._model_runner.submit(lambda _job: client.close())

    def request(self, case: Case) -> int:
        """Ask for a draft of `case` after the usual pauses; the generation number."""
        self.generation += 1
        if self._stopped:
            return self.generation
        self._pending = case
        self._cancel_model()
        self._rules_timer.start()
        if self.model_drafter is not None:
            self._model_timer.start()
        return self.generation

    def request_now(self, case: Case) -> int:
        """Draft at once (the doctor asked for it, or a case was restored)."""
        generation = self.request(case)
        if self._stopped:
            return generation
        self._rules_timer.stop()
        self._start_rules()
        if self.model_drafter is not None:
            self._model_timer.stop()
            self._start_model()
        return generation

    def warm_up(self, template: str) -> None:
        """Draft a short text once on the worker, so the doctor's first draft finds the rules
        engine's modules imported and its patterns compiled (the first draft costs ~0.2 s of
        interpreter time, which otherwise competes with the GUI thread at the worst moment)."""
        drafter = self.rules_drafter

        def work(job: Job) -> None:
            drafter.draft(Case(WARM_UP_TEXT, template), engine="rules")

        self._rules_runner.submit(work, failed=lambda exc: log.warning(
            "warming up the rules engine failed: %s", type(exc).__name__))

    def busy(self) -> bool:
        return self._rules_runner.busy() or self._model_runner.busy() \
            or self._rules_timer.isActive() or self._model_timer.isActive()

    def shutdown(self) -> None:
        # Answers of jobs that finish now are still queued to the GUI thread: drop them.
        self._stopped = True
        self._rules_timer.stop()
        self._model_timer.stop()
        self._rules_runner.shutdown()
        self._model_runner.shutdown()
        if self.model_drafter is not None and self.model_drafter.client is not None:
            self.model_drafter.client.close()

    # -- the rules engine ----------------------------------------------------------------

    def _start_rules(self) -> None:
        case, generation = self._pending, self.generation
        if case is None:
            return
        drafter = self.rules_drafter

        def work(job: Job) -> DraftAnswer:
            return DraftAnswer(drafter.draft(case, engine="rules"), case.text, generation)

        self._rules_runner.submit(work, done=self._rules_done, failed=self._rules_error)

    def _rules_done(self, answer: DraftAnswer) -> None:
        if answer.generation == self.generation and not self._stopped:
            self.rules_ready.emit(answer)

    def _rules_error(self, exc: Exception) -> None:
        # Bad input (an over-long text) is the doctor's to fix; anything else is our bug.
        message = str(exc) if getattr(exc, "exit_code", 1) == 2 else type(exc).__name__
        if getattr(exc, "exit_code", 1) != 2:
            log.error("the rules draft failed: %s", type(exc).__name__, exc_info=exc)
        self.rules_failed.emit(message)

    # -- the model -----------------------------------------------------------------------

    def _start_model(self) -> None:
        case, generation, drafter = self._pending, self.generation, self.model_drafter
        if case is None or drafter is None:
            return
        self._cancel_model()
        self.model_started.emit(generation)
        self._model_job = self._model_runner.submit(
            lambda job: self._model_work(job, drafter, case, generation),
            done=self._model_done, failed=lambda exc: self._model_error(exc, generation),
            progress=self._model_progress)

    def _model_work(self, job: Job, drafter: Drafter, case: Case, generation: int
                    ) -> DraftAnswer:
        stream = NarrativeStream()
        latest = _Latest(generation)

        def on_event(event: StreamEvent) -> None:
            if event.kind != "answer":
                return
            stream.feed(event.text)
            if latest.put(stream.fields()):
                job.progress(latest)  # at most one report waits on the GUI at a time

        draft = drafter.draft(case, engine="model", on_event=on_event, cancelled=job.cancelled)
        return DraftAnswer(draft, case.text, generation)

    def _model_progress(self, latest: _Latest) -> None:
        fields = latest.take()
        if latest.generation == self.generation and not self._stopped:
            self.model_partial.emit(fields, latest.generation)

    def _model_done(self, answer: DraftAnswer) -> None:
        if answer.generation == self.generation and not self._stopped:
            self.model_ready.emit(answer)

    def _model_error(self, exc: Exception, generation: int) -> None:
        if generation != self.generation or self._stopped:
            return  # a superseded draft; its failure (often the cancel itself) is no news
        kind = problem_kind(exc)
        if kind == "error":
            log.error("the model draft failed: %s", type(exc).__name__, exc_info=exc)
        else:
            log.warning("the model draft failed: %s", type(exc).__name__)
        self.model_failed.emit(BoxProblem(kind, generation))

    def _cancel_model(self) -> None:
        if self._model_job is not None:
            self._model_job.cancel()
            self._model_job = None


class _Latest:
    """The newest partial fields of a stream, handed from the worker to the GUI thread.

    The worker replaces the value on every piece; the GUI takes the newest when it gets to it,
    so a fast stream never floods the event loop and the last state is never lost.
    """

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self._lock = threading.Lock()
        self._fields: dict[str, PartialField] = {}
        self._waiting = False

    def put(self, fields: dict[str, PartialField]) -> bool:
        """Keep `fields`; True when the GUI must be told (no report is waiting already)."""
        with self._lock:
            self._fields = fields
            tell, self._waiting = not self._waiting, True
            return tell

    def take(self) -> dict[str, PartialField]:
        with self._lock:
            self._waiting = False
            return self._fields


def problem_kind(exc: Exception) -> str:
    """The kind of box problem an exception means (see `BoxProblem`)."""
    if isinstance(exc, BoxError):
        return "unreachable"
    if isinstance(exc, AuthFailed):
        return "auth"
    if isinstance(exc, ContextTooLong):
        return "too_long"
    if isinstance(exc, BadStructuredOutput):
        return "bad_answer"
    if isinstance(exc, InferenceError):
        return "bad_answer"
    return "error"


def _single_shot(parent: QObject, interval_ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
