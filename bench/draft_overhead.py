"""What the drafting layer costs on top of the inference box, and what the prefix cache saves.

    .venv/bin/python bench/draft_overhead.py [--runs 3] [--server URL] [--model FILE.gguf]

(a) the drafting pipeline's own requests replayed bare to the server with httpx;
(b) the same case drafted through the drafting API in process (rules, knowledge, two model
    calls, parsing, validation, the safety check); alternated with (a), greedy decoding so both
    generate the same tokens. Reported: medians and the ratio b/a (target <= 1.05), and
    separately a whole `sentinel draft` process against (a).
Prefix cache: prefill (time to the first streamed token) of a second case with the same template
against the first, after an unrelated prompt evicted the cache (target <= 0.3).

Without --server it starts llama_cpp.server with the packaged Gemma 3 270M on 2 threads.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from engine.box import LocalBox, ServerOptions, free_port
from engine.client import ClientConfig, Endpoint, InferenceClient
from engine.drafting.pipeline import Case, Drafter, ModelSettings

CASE_A = "男，62岁，持续左胸痛3小时，压榨样，向左上肢放射，伴冷汗、气促，无发热。既往高血压10年。"
CASE_B = "女，58岁，活动后胸闷1天，休息可缓解，无放射，伴恶心，否认糖尿病。"
UNRELATED = "请把下面这句话翻译成英文：今天天气很好，我们去公园散步。" * 8


class Recording(httpx.HTTPTransport):
    """A real transport that keeps the JSON bodies of chat requests."""

    def __init__(self) -> None:
        super().__init__()
        self.bodies: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/chat/completions"):
            self.bodies.append(json.loads(request.content))
        return super().handle_request(request)


def replay(url: str, bodies: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600, trust_env=False) as http:
        for body in bodies:
            if body.get("stream"):
                with http.stream("POST", "/v1/chat/completions", json=body) as response:
                    for _ in response.iter_lines():
                        pass
            else:
                http.post("/v1/chat/completions", json=body).raise_for_status()
    return time.perf_counter() - started


def prefill(url: str, text: str, template: str) -> float:
    """Seconds to the first streamed token of a draft prompt for `text`."""
    from engine.drafting.knowledge import KnowledgeContext
    from engine.drafting.pipeline import EXTRACTION_TASK, _messages
    from engine.findings import assess
    from prompts import load_card

    messages = _messages(load_card(template), assess(text, template=template).to_dict(),
                         KnowledgeContext.empty(), text, EXTRACTION_TASK)
    body = {"messages": messages, "max_tokens": 1, "stream": True, "temperature": 0}
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=600, trust_env=False) as http, \
            http.stream("POST", "/v1/chat/completions", json=body) as response:
        for line in response.iter_lines():
            if '"content"' in line:
                return time.perf_counter() - started
    return time.perf_counter() - started


def evict(url: str) -> None:
    body = {"messages": [{"role": "user", "content": UNRELATED}], "max_tokens": 1}
    httpx.post(f"{url}/v1/chat/completions", json=body, timeout=600, trust_env=False)


def whole_command(url: str, home: str) -> float:
    # Greedy decoding here too, so the command generates what (a) and (b) generate.
    Path(home, "settings.json").write_text(json.dumps({"temperature": 0.0}), "utf-8")
    env = dict(os.environ, SENTINEL_HOME=home)
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name("sentinel")), "draft", "--template",
                    "acs", "--text", CASE_A, "--server", url, "--engine", "model"],
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", help="an already running box (default: start Gemma)")
    parser.add_argument("--model", type=Path, help="GGUF to serve (default: packaged Gemma)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    box = None
    url = args.server
    if url is None:
        from engine.box import packaged_test_model

        model = args.model or packaged_test_model(Path.home() / ".cache/ed-sentinel/models")
        fmt = "gemma" if "gemma" in model.name else None
        box = LocalBox(ServerOptions(model=model, port=free_port(), threads=args.threads,
                                     chat_format=fmt, context=4096)).start()
        url = box.url
    home = tempfile.mkdtemp(prefix="sentinel-bench-")
    os.environ["SENTINEL_HOME"] = home

    try:
        recorder = Recording()
        config = ClientConfig(endpoints=(Endpoint(url),))
        client = InferenceClient(config, transport=recorder)
        drafter = Drafter(client=client, model=ModelSettings(temperature=0.0, stream=True))
        case = Case(CASE_A, "acs")

        draft = drafter.draft(case, engine="model")  # warm-up; records the requests
        bodies = list(recorder.bodies)
        print(f"server {url}; engine {draft.provenance.engine}; "
              f"{len(bodies)} model calls per draft; warnings: {len(draft.warnings)}")

        bare, piped = [], []
        for run in range(args.runs):
            order = ("a", "b") if run % 2 == 0 else ("b", "a")
            for which in order:
                if which == "a":
                    bare.append(replay(url, bodies))
                else:
                    started = time.perf_counter()
                    drafter.draft(case, engine="model")
                    piped.append(time.perf_counter() - started)
        client.close()

        commands = [whole_command(url, home) for _ in range(max(1, args.runs // 2))]

        evict(url)
        cold = prefill(url, CASE_A, "acs")
        warm = prefill(url, CASE_B, "acs")
    finally:
        if box is not None:
            box.stop()

    a, b, c = (statistics.median(x) for x in (bare, piped, commands))
    print(f"(a) bare requests      median {a:7.3f} s  runs {[round(x, 2) for x in bare]}")
    print(f"(b) drafting API       median {b:7.3f} s  runs {[round(x, 2) for x in piped]}")
    print(f"    ratio b/a          {b / a:7.3f}   (target <= 1.05)")
    print(f"(c) `sentinel draft`   median {c:7.3f} s  runs {[round(x, 2) for x in commands]}")
    print(f"    ratio c/a          {c / a:7.3f}   (process start and imports included)")
    print(f"prefill, first case    {cold:7.3f} s (cache evicted)")
    print(f"prefill, second case   {warm:7.3f} s (same template)")
    print(f"    ratio second/first {warm / cold:7.3f}   (target <= 0.3)")


if __name__ == "__main__":
    main()
