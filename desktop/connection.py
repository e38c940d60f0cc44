"""Whether the inference box answers, always shown, in a word and, when down, in a sentence.

The monitor asks the configured box for its models (`/v1/models`; the servers have no health
route) on a worker every `PROBE_EVERY_MS`, and hears from the drafts: a model draft that
arrived means the box is up, one that failed says why it is down. With no box configured the
panel runs on the rules engine alone, and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, QTimer, Signal

from desktop.workers import Job, Runner
from engine.client import BoxError, InferenceClient, InferenceError

log = logging.getLogger(__name__)

PROBE_EVERY_MS = 20_000

# State -> the word on the status line.
STATE_WORDS = {
    "none": QT_TRANSLATE_NOOP("ConnectionMonitor", "仅规则引擎（未配置推理服务器）"),
    "checking": QT_TRANSLATE_NOOP("ConnectionMonitor", "正在连接推理服务器…"),
    "ok": QT_TRANSLATE_NOOP("ConnectionMonitor", "推理服务器已连接"),
    "down": QT_TRANSLATE_NOOP("ConnectionMonitor", "推理服务器断开（规则引擎工作中）"),
    "busy": QT_TRANSLATE_NOOP("ConnectionMonitor", "模型生成中…"),
}


class ConnectionMonitor(QObject):
    """See the module docstring. `changed(state, sentence)`: sentence is "" unless down."""

    changed = Signal(str, str)

    def __init__(self, client_factory: Callable[[], InferenceClient | None], *,
                 probe_every_ms: int = PROBE_EVERY_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._client: InferenceClient | None = None
        self._runner = Runner("box-probe", threads=1, parent=self)
        self._timer = QTimer(self)
        self._timer.setInterval(probe_every_ms)
        self._timer.timeout.connect(self.probe)
        self.state = "none"
        self.sentence = ""
        self._probing = False

    def start(self) -> None:
        """Use the current settings' box (again) and probe it now and then."""
        self._close_client()
        self._client = self._client_factory()
        if self._client is None:
            self._timer.stop()
            self._set("none", "")
            return
        self._set("checking", "")
        self._timer.start()
        self.probe()

    def stop(self) -> None:
        self._timer.stop()
        self._runner.shutdown()
        self._close_client()

    def probe(self) -> None:
        client = self._client
        if client is None or self._probing:
            return
        self._probing = True

        def work(job: Job) -> list[str]:
            return client.models()

        self._runner.submit(work, done=self._probe_ok, failed=self._probe_failed)

    def report_busy(self) -> None:
        if self.state != "none":
            self._set("busy", "")

    def report_ok(self) -> None:
        if self.state != "none":
            self._set("ok", "")

    def report_problem(self, kind: str) -> None:
        if self.state != "none":
            self._set("down", problem_sentence(kind))

    def _probe_ok(self, _models: list[str]) -> None:
        self._probing = False
        if self.state != "busy":
            self._set("ok", "")

    def _probe_failed(self, exc: Exception) -> None:
        self._probing = False
        if isinstance(exc, BoxError):
            self._set("down", problem_sentence("unreachable"))
        elif isinstance(exc, InferenceError):
            from desktop.drafting import problem_kind

            self._set("down", problem_sentence(problem_kind(exc)))
        else:
            log.error("probing the box failed: %s", type(exc).__name__)
            self._set("down", problem_sentence("error"))

    def _set(self, state: str, sentence: str) -> None:
        if (state, sentence) == (self.state, self.sentence):
            return
        self.state, self.sentence = state, sentence
        self.changed.emit(state, sentence)

    def _close_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


_SENTENCES = {
    "unreachable": QT_TRANSLATE_NOOP(
        "ConnectionMonitor", "推理服务器暂时连不上：草稿由规则引擎生成，评分与提醒不受影响，"
        "输入内容不会丢失。服务器恢复后会自动使用模型。"),
    "auth": QT_TRANSLATE_NOOP(
        "ConnectionMonitor", "推理服务器拒绝了 API 密钥：草稿由规则引擎生成。请在设置中重新"
        "输入密钥，或联系信息科。"),
    "too_long": QT_TRANSLATE_NOOP(
        "ConnectionMonitor", "输入内容太长，模型无法处理：草稿由规则引擎生成。可精简输入后重试。"),
    "bad_answer": QT_TRANSLATE_NOOP(
        "ConnectionMonitor", "模型这次的回答不可用：已显示规则引擎草稿，输入内容不受影响。"),
    "error": QT_TRANSLATE_NOOP(
        "ConnectionMonitor", "模型草稿出错：已显示规则引擎草稿，输入内容不受影响。"),
}


def problem_sentence(kind: str) -> str:
    """What the doctor reads when the model cannot help (the rules engine still drafts)."""
    return QCoreApplication.translate("ConnectionMonitor",
                                      str(_SENTENCES.get(kind, _SENTENCES["error"])))


def state_word(state: str) -> str:
    return QCoreApplication.translate("ConnectionMonitor", str(STATE_WORDS.get(state, state)))
