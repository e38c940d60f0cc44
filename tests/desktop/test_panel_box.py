"""The box going away mid-draft: the doctor's input stays, the rules draft stays, a sentence.

One test kills a real llama_cpp.server (the tiny DeepSeek-tokenizer model) while its narrative
streams. The others inject what a live server can't be made to do on cue, through the
client's transport: a stream that pauses and then breaks, a refused key, a superseded stream.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.drafting import BoxProblem
from engine.box import LocalBox, ServerOptions, free_port
from engine.client import ClientConfig, Endpoint, InferenceClient, RetryPolicy
from engine.drafting.pipeline import Drafter, ModelSettings
from engine.settings import Settings
from tests.desktop.conftest import wait_for_draft
from tests.models import tiny_deepseek

pytestmark = pytest.mark.gui

TEXT = "持续左胸痛3小时 压榨样 冷汗 气促"
BOX = "http://box.test:8080"
NARRATIVE = {
    "chief_complaint": "左胸痛3小时",
    "present_illness": "患者3小时前出现左侧胸部压榨样疼痛，呈持续性，伴冷汗、气促。",
    "past_history": "", "personal_history": "", "allergy_history": "", "physical_exam": "",
    "diagnosis_primary": "急性冠脉综合征？", "differentials": ["主动脉夹层"],
    "plan": "立即心电图，高敏肌钙蛋白。", "history_to_ask": ["疼痛是否向左臂放射？"],
}


def sse(*pieces: str) -> list[bytes]:
    events = [{"model": "m", "choices": [{"delta": {"content": p}, "finish_reason": None}]}
              for p in pieces]
    return [f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events]


def finish() -> bytes:
    done = {"model": "m", "choices": [{"delta": {}, "finish_reason": "stop"}]}
    return f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode()


class PausedStream(httpx.SyncByteStream):
    """Sends the first pieces, waits for the test, then ends or breaks the connection."""

    def __init__(self, first: list[bytes], rest: list[bytes], go_on: threading.Event,
                 *, breaks: bool) -> None:
        self.first, self.rest, self.go_on, self.breaks = first, rest, go_on, breaks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.first
        self.go_on.wait(30)
        if self.breaks:
            raise httpx.RemoteProtocolError("peer closed connection without sending the rest")
        yield from self.rest


class ScriptedBox:
    """An injected transport: the models list, the extraction, then scripted streams."""

    def __init__(self) -> None:
        self.streams: list[Callable[[], httpx.Response]] = []
        self.chat_requests = 0
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/models":
            return httpx.Response(200, json={"object": "list", "data": [
                {"id": "scripted", "object": "model", "owned_by": "me"}]})
        if self.status != 200:
            return httpx.Response(self.status, json={"error": {"message": "bad key"}})
        self.chat_requests += 1
        body = json.loads(request.content)
        schema = json.dumps(body.get("response_format", {}))
        if "chief_complaint" not in schema:  # the extraction of findings: nothing to add
            if body.get("stream"):
                return httpx.Response(200, content=b"".join([*sse("{\"findings\": []}"),
                                                             finish()]))
            return httpx.Response(200, json={"model": "m", "choices": [
                {"message": {"content": "{\"findings\": []}"}, "finish_reason": "stop"}]})
        return self.streams.pop(0)()

    def client(self) -> InferenceClient:
        config = ClientConfig(endpoints=(Endpoint(BOX),), dialect="llama_cpp",
                              retry=RetryPolicy(attempts=1, backoff_s=0.0))
        return InferenceClient(config, transport=httpx.MockTransport(self))


def narrative_pieces() -> tuple[list[bytes], list[bytes]]:
    text = json.dumps(NARRATIVE, ensure_ascii=False)
    cut = text.index("呈持续性")
    return sse(text[:20], text[20:cut]), [*sse(text[cut:]), finish()]


def scripted_panel(make_panel: Any, box: ScriptedBox) -> Any:
    return make_panel(
        model_drafter=lambda _settings: Drafter(client=box.client(),
                                                model=ModelSettings(stream=True)),
        probe_client=lambda _settings: box.client())


def test_a_stream_that_breaks_mid_draft_leaves_input_and_rules_draft(make_panel: Any,
                                                                      qtbot: Any) -> None:
    box = ScriptedBox()
    go_on = threading.Event()
    first, rest = narrative_pieces()
    box.streams.append(lambda: httpx.Response(200, stream=PausedStream(first, rest, go_on,
                                                                        breaks=True)))
    panel = scripted_panel(make_panel, box)
    qtbot.waitUntil(lambda: panel.monitor.state == "ok")
    panel.window.input_panel.text.setPlainText(TEXT)
    rules = wait_for_draft(qtbot, panel, TEXT)
    section = panel.window.draft_view.sections["present_illness"]

    qtbot.waitUntil(lambda: section.state.text() == "生成中…", timeout=15_000)
    assert section.text().startswith("患者3小时前出现左侧胸部压榨样疼痛")
    assert panel.monitor.state == "busy"

    with qtbot.waitSignal(panel.session.model_failed, timeout=15_000) as failed:
        go_on.set()
    assert isinstance(failed.args[0], BoxProblem) and failed.args[0].kind == "unreachable"
    assert panel.window.input_panel.text.toPlainText() == TEXT
    assert panel.session.inputs.text == TEXT
    assert panel.session.draft is rules
    assert section.text() == rules.content.present_illness and section.state.text() == ""
    assert panel.monitor.state == "down"
    banner = panel.window.box_banner
    assert banner.isVisible() and "规则引擎" in banner.text() and "不会丢失" in banner.text()
    assert "断开" in panel.window.connection.text()


def test_a_superseded_stream_is_cancelled_and_the_newer_draft_wins(make_panel: Any,
                                                                    qtbot: Any) -> None:
    box = ScriptedBox()
    go_on = threading.Event()
    first, rest = narrative_pieces()
    box.streams.append(lambda: httpx.Response(200, stream=PausedStream(first, rest, go_on,
                                                                        breaks=False)))
    box.streams.append(lambda: httpx.Response(200, content=b"".join([*first, *rest])))
    panel = scripted_panel(make_panel, box)
    panel.window.input_panel.text.setPlainText(TEXT)
    wait_for_draft(qtbot, panel, TEXT)
    section = panel.window.draft_view.sections["present_illness"]
    qtbot.waitUntil(lambda: section.state.text() == "生成中…", timeout=15_000)

    newer = TEXT + " 既往高血压"
    panel.window.input_panel.text.setPlainText(newer)  # supersedes the paused stream
    go_on.set()
    qtbot.waitUntil(lambda: panel.session.draft is not None
                    and panel.session.draft.provenance.engine == "rules+model", timeout=20_000)
    assert panel.session.draft_text == newer
    assert section.text() == NARRATIVE["present_illness"]
    assert panel.window.draft_view.sections["chief_complaint"].text() == "左胸痛3小时"
    assert "规则引擎+模型" in panel.window.draft_view.provenance.text()
    assert panel.monitor.state == "ok" and not panel.window.box_banner.isVisible()
    assert box.chat_requests == 4  # two extractions, two narratives: none repeated


def test_a_refused_key_says_what_to_do(make_panel: Any, qtbot: Any) -> None:
    box = ScriptedBox()
    box.status = 401
    panel = scripted_panel(make_panel, box)
    panel.window.input_panel.text.setPlainText(TEXT)
    wait_for_draft(qtbot, panel, TEXT)
    qtbot.waitUntil(lambda: "API 密钥" in panel.window.box_banner.text(), timeout=15_000)
    assert panel.session.draft.provenance.engine == "rules"
    assert panel.window.input_panel.text.toPlainText() == TEXT


@pytest.mark.slow
@pytest.mark.needs_server
def test_a_real_box_killed_mid_stream(make_panel: Any, qtbot: Any, sentinel_home: Path,
                                      tmp_path: Path) -> None:
    options = ServerOptions(model=tiny_deepseek(), port=free_port(), context=4096)
    with LocalBox(options, log_path=tmp_path / "box.log") as box:
        settings = Settings.load(sentinel_home)
        settings.set_user("inference_urls", [box.url])
        settings.set_user("max_draft_tokens", 400)
        settings.set_user("retries", 0)
        panel = make_panel()
        qtbot.waitUntil(lambda: panel.monitor.state == "ok", timeout=30_000)
        panel.window.input_panel.text.setPlainText(TEXT)
        rules = wait_for_draft(qtbot, panel, TEXT)
        with qtbot.waitSignal(panel.session.model_partial, timeout=120_000):
            pass  # the narrative is streaming from the real server

        with qtbot.waitSignal(panel.session.model_failed, timeout=60_000) as failed:
            box._process.kill()  # type: ignore[union-attr]  # the box dies, no goodbye
        assert failed.args[0].kind == "unreachable"
    assert panel.window.input_panel.text.toPlainText() == TEXT
    assert panel.session.draft is rules and rules.provenance.engine == "rules"
    assert panel.window.draft_view.sections["chief_complaint"].text() == \
        rules.content.chief_complaint
    assert "连不上" in panel.window.box_banner.text()
