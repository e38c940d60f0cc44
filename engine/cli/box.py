"""`sentinel box`: run the inference box (for IT), check it, and keep its API key."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.errors import BadInput


def register(commands: Any) -> None:
    box = commands.add_parser("box", help="the inference box: serve, check, API key")
    actions = box.add_subparsers(dest="box_action", metavar="ACTION", required=True,
                                 parser_class=type(box))

    serve = actions.add_parser("serve", help="run llama-cpp-python's server with tuned flags")
    serve.add_argument("--model", required=True, type=Path, help="a .gguf model file")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default %(default)s; 0.0.0.0 for the LAN)")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    serve.add_argument("--context", type=int, default=8192, help="context size in tokens")
    serve.add_argument("--gpu-layers", type=int, default=0,
                       help="layers offloaded to the GPU (-1: all; needs a CUDA build)")
    serve.add_argument("--chat-format", help="override the model's chat template")
    secret = serve.add_mutually_exclusive_group()
    secret.add_argument("--api-key-env", metavar="VAR",
                        help="environment variable that holds the API key clients must send")
    secret.add_argument("--api-key-file", type=Path, metavar="FILE",
                        help="file whose first line is the API key")
    serve.set_defaults(handler=run_serve)

    check = actions.add_parser("check", help="ask the configured box (or --server) if it answers")
    check.add_argument("--server", action="append", default=[], metavar="URL")
    check.set_defaults(handler=run_check)

    key = actions.add_parser("key", help="store or forget a box's API key in the OS keyring")
    key.add_argument("what", choices=("set", "forget"))
    key.add_argument("url", help="the box's URL, e.g. https://box.hospital.local:8080")
    key.set_defaults(handler=run_key)


def _api_key(args: argparse.Namespace) -> str | None:
    if args.api_key_env:
        value = os.environ.get(args.api_key_env)
        if not value:
            raise BadInput(f"environment variable {args.api_key_env} is empty or unset")
        return value
    if args.api_key_file:
        try:
            value = args.api_key_file.read_text("utf-8").splitlines()[0].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            raise BadInput(f"cannot read an API key from {args.api_key_file}") from None
        if not value:
            raise BadInput(f"{args.api_key_file} holds no API key on its first line")
        return value
    return None


def run_serve(args: argparse.Namespace) -> int:
    from engine.box import ServerOptions, check_model_file

    options = ServerOptions(
        model=check_model_file(args.model), host=args.host, port=args.port,
        threads=args.threads, context=args.context, chat_format=args.chat_format,
        gpu_layers=args.gpu_layers, api_key=_api_key(args),
    )
    if options.api_key is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        print("sentinel: warning: serving on the network without an API key",
              file=sys.stderr)
    print(f"sentinel: serving {args.model.name} at {options.url} (Ctrl+C stops)",
          file=sys.stderr)
    try:
        return subprocess.call(options.command(), env=options.environment())
    except KeyboardInterrupt:
        return 0


def run_check(args: argparse.Namespace) -> int:
    import time

    from engine.client import InferenceClient, InferenceError
    from engine.drafting.setup import client_config
    from engine.settings import Settings

    config = client_config(Settings.load(), args.server)
    if config is None:
        raise BadInput("no inference box configured; set inference_urls or pass --server")
    report = []
    for endpoint in config.endpoints:
        started = time.perf_counter()
        single = replace(config, endpoints=(endpoint,))
        with InferenceClient(single) as client:
            try:
                models = client.models()
                report.append({"url": endpoint.url, "ok": True, "models": models,
                               "dialect": client.dialect_of(endpoint),
                               "seconds": round(time.perf_counter() - started, 3)})
            except InferenceError as exc:
                report.append({"url": endpoint.url, "ok": False, "error": str(exc)})
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if any(r["ok"] for r in report) else 3


def run_key(args: argparse.Namespace) -> int:
    from engine.client.config import Endpoint
    from engine.client.keys import forget_api_key, store_api_key

    url = Endpoint(args.url).url
    if args.what == "forget":
        forget_api_key(url)
        return 0
    key = getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not key:
        raise BadInput("no API key given; type it, or pipe it on stdin")
    store_api_key(url, key)
    print(f"sentinel: API key for {url} stored in the OS keyring", file=sys.stderr)
    return 0
