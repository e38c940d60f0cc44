"""The inference box's faults for `bench/fault_report.py`: each one must lose nothing.

Each fault journals a doctor's typed text first (as the panel does on every keystroke), drafts
with the box failing in one way, saves the draft that came back, then reopens the journal as a
restarted app would: the typed text must be whole, a rules draft must be there, and the doctor
must have been told in a sentence. Connection refusal, the hanging box and the SIGKILL use real
sockets and processes; what a live server can't be made to send goes through a fault transport.

    .venv/bin/python bench/fault_report.py --only box     # runs these rows
    .venv/bin/python bench/fault_inference.py --child HOME URL   # the SIGKILL child (internal)
"""

from __future__ import annotations

import http.server
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from engine.box import free_port
from engine.client import ClientConfig, Endpoint, InferenceClient, RetryPolicy, Timeouts
from engine.drafting.pipeline import Case, Drafter, ModelSettings
from engine.storage import CaseJournal

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_report import TYPED, Fault, Outcome

NO_RETRY = RetryPolicy(attempts=1)


def _chat(content: str) -> dict[str, Any]:
    return {"model": "m", "choices": [{"message": {"content": content}, "finish_reason": "stop"}]}


class _Breaking(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'data: {"choices": [{"delta": {"content": "{\\"chief_"}}]}\n\n'
        raise httpx.ReadError("connection reset by peer")


def _transport(answer: Callable[[dict[str, Any]], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: answer(json.loads(request.content)))


def _draft_with(home: Path, client: InferenceClient) -> Outcome:
    """Journal the typed text, draft through the failing box, save, reopen, compare."""
    with CaseJournal.open(home, retention_hours=24) as journal:
        case_id = journal.new_case("acs")
        journal.record(case_id, "typed_text", TYPED)
        drafter = Drafter(client=client, model=ModelSettings(stream=True), knowledge=None)
        with client:
            draft = drafter.draft(Case(TYPED, "acs"), engine="auto")
        journal.save_draft(case_id, draft.model_dump(mode="json"))
        journal.flush()

    with CaseJournal.open(home, retention_hours=24) as journal:
        state = journal.case(case_id)
        text = str(state.values.get("typed_text", ""))
        saved = state.draft or {}
    told = draft.warnings[0] if draft.warnings else ""
    kept = text == TYPED
    shown = saved.get("provenance", {}).get("engine") == "rules"
    result = (f"rules draft shown and saved; told: {told[:38]}…" if shown and told
              else f"draft engine {saved.get('provenance', {}).get('engine')}, told: {told!r}")
    lost = "0" if kept else f"typed text changed: {len(TYPED) - len(text)} chars"
    return Outcome(result, lost, kept and shown and bool(told))


def _fake(answer: Callable[[dict[str, Any]], httpx.Response]) -> Callable[[Path], Outcome]:
    def run(home: Path) -> Outcome:
        config = ClientConfig(endpoints=(Endpoint("http://box.test:8080"),),
                              dialect="llama_cpp", retry=NO_RETRY)
        return _draft_with(home, InferenceClient(config, transport=_transport(answer)))
    return run


def refused(home: Path) -> Outcome:
    config = ClientConfig(endpoints=(Endpoint(f"http://127.0.0.1:{free_port()}"),),
                          retry=NO_RETRY)
    return _draft_with(home, InferenceClient(config))


@contextmanager
def _silent_server() -> Iterator[int]:
    """A real socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


def times_out(home: Path) -> Outcome:
    with _silent_server() as port:
        config = ClientConfig(endpoints=(Endpoint(f"http://127.0.0.1:{port}"),),
                              dialect="llama_cpp", retry=NO_RETRY,
                              timeouts=Timeouts(connect=1.0, read=1.0))
        return _draft_with(home, InferenceClient(config))


class _DrippingHandler(http.server.BaseHTTPRequestHandler):
    """A box that streams one token every 0.2 s, for ever (until the client is killed)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        try:
            for n in range(300):
                piece = '{"present_illness": "' if n == 0 else "患"
                event = {"model": "m", "choices": [{"delta": {"content": piece}}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, format: str, *args: Any) -> None:
        return


def killed_mid_stream(home: Path) -> Outcome:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DrippingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    child = subprocess.Popen([sys.executable, __file__, "--child", str(home), url],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert child.stdout is not None
        case_id = child.stdout.readline().split()[1]
        streaming = child.stdout.readline().strip() == "streaming"
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    finally:
        server.shutdown()
        server.server_close()

    with CaseJournal.open(home, retention_hours=24) as journal:
        cases = {case.case_id: case for case in journal.open_cases()}
        text = str(cases[case_id].values.get("typed_text", "")) if case_id in cases else ""
    kept = text == TYPED
    result = ("killed while the draft streamed; case back on restart with its text"
              if kept and streaming else f"streaming={streaming}, text back: {len(text)} chars")
    return Outcome(result, "0" if kept else f"{len(TYPED) - len(text)} chars", kept and streaming)


def child(home: Path, url: str) -> None:
    """Journal the text, then draft against a dripping box; the parent kills us mid-stream."""
    journal = CaseJournal.open(home, retention_hours=24)
    case_id = journal.new_case("acs")
    journal.record(case_id, "typed_text", TYPED)
    journal.flush()
    print("saved", case_id, flush=True)
    told = threading.Event()

    def on_event(event: Any) -> None:
        if not told.is_set():
            told.set()
            print("streaming", flush=True)

    config = ClientConfig(endpoints=(Endpoint(url),), dialect="llama_cpp", retry=NO_RETRY)
    drafter = Drafter(client=InferenceClient(config), knowledge=None)
    drafter.client.stream([{"role": "user", "content": TYPED}],  # type: ignore[union-attr]
                          on_event=on_event, max_tokens=10_000)


FAULTS = [
    Fault("box refuses the connection", refused),
    Fault("box times out", times_out),
    Fault("box answers 500", _fake(lambda body: httpx.Response(500, json={"error": {}}))),
    Fault("box answers 503", _fake(lambda body: httpx.Response(503))),
    Fault("stream cut mid-JSON", _fake(lambda body: httpx.Response(200, stream=_Breaking()))),
    Fault("box sends invalid JSON", _fake(lambda body: httpx.Response(200, content=b"{oops"))),
    Fault("draft fails the schema",
          _fake(lambda body: httpx.Response(200, content=(
              b'data: {"choices": [{"delta": {"content": "{\\"findings\\": 3}"}, '
              b'"finish_reason": "stop"}]}\n\ndata: [DONE]\n\n')))),
    Fault("SIGKILL during a streamed draft", killed_mid_stream),
]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[3])
    else:
        print(__doc__)
