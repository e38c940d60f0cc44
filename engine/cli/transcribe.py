"""`sentinel transcribe FILE.wav`: dictation from a recording, as the microphone would give it.

The recording is streamed through the recogniser in 0.1 s pieces, so partials, pauses and
finals behave as they do live. Prints the cleaned text; `--json` adds each final, the partials
with their timing, the real-time factor and what the word list check found.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

CHUNK_S = 0.1


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "transcribe", help="recognise a WAV recording with the dictation model",
        description="Recognise a WAV file (any rate, channels, PCM or float) as dictation and "
                    "print the cleaned text. The model and word list default to settings "
                    "vosk_model_dir and vosk_words_file.")
    parser.add_argument("file", type=Path, metavar="FILE.wav", help="the recording")
    parser.add_argument("--model", metavar="DIR", help="Vosk model folder (default: setting)")
    parser.add_argument("--words", metavar="FILE",
                        help="department word list, one term a line (default: setting)")
    parser.add_argument("--json", action="store_true",
                        help="print JSON with finals, partials' timing and the real-time factor")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from engine.settings import Settings
    from engine.speech.audio import read_wav
    from engine.speech.recognizer import Final, Partial
    from engine.speech.session import load_dictation

    audio = read_wav(args.file)  # a bad file fails before the model's 2 s load
    settings = Settings.load()
    model_dir = args.model if args.model is not None else settings.get("vosk_model_dir")
    words_file = args.words if args.words is not None else settings.get("vosk_words_file")

    loading = time.perf_counter()
    dictation = load_dictation(model_dir, words_file)
    load_s = time.perf_counter() - loading

    recognizer = dictation.recognizer(audio.rate)
    step = max(1, round(CHUNK_S * audio.rate))
    started = time.perf_counter()
    timed: list[tuple[Any, float]] = []
    for first in range(0, len(audio.samples), step):
        for event in recognizer.accept(audio.samples[first:first + step]):
            timed.append((event, time.perf_counter() - started))
    timed += [(event, time.perf_counter() - started) for event in recognizer.finish()]

    finals = [event for event, _ in timed if isinstance(event, Final)]
    raw = " ".join(final.text for final in finals)
    cleaned = dictation.clean(raw)
    if not args.json:
        print(cleaned.text)
        return 0

    partials = [{"text": event.text, "audio_s": round(event.audio_s, 3), "wall_s": round(at, 4)}
                for event, at in timed if isinstance(event, Partial)]
    report = {
        "file": str(args.file),
        "model": str(dictation.model.info.folder),
        "model_kind": dictation.model.info.kind,
        "text": cleaned.text,
        "raw": raw,
        "audio_s": round(audio.seconds, 3),
        "input_rate": audio.rate,
        "load_s": round(load_s, 3),
        "processing_s": round(recognizer.busy_s, 4),
        "rtf": round(recognizer.busy_s / audio.seconds, 4) if audio.seconds else None,
        "first_partial_audio_s": partials[0]["audio_s"] if partials else None,
        "partials": partials,
        "finals": [_final_json(final, dictation.clean(final.text)) for final in finals],
        "edits": [{"start": e.start, "end": e.end, "before": e.before, "after": e.after,
                   "kind": e.kind, "confidence": e.confidence} for e in cleaned.edits],
        "word_list": _word_list_json(dictation, words_file),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


def _final_json(final: Any, cleaned: Any) -> dict[str, Any]:
    return {"text": cleaned.text, "raw": final.text, "reason": final.reason,
            "speech_end_s": round(final.speech_end_s, 3), "audio_s": round(final.audio_s, 3),
            "delay_after_speech_s": round(final.audio_s - final.speech_end_s, 3),
            "words": [{"word": w.text, "start_s": w.start_s, "end_s": w.end_s,
                       "confidence": w.confidence} for w in final.words]}


def _word_list_json(dictation: Any, words_file: str) -> dict[str, Any] | None:
    check = dictation.words
    if check is None:
        return None
    return {"file": words_file, "usable": len(check.usable), "missing": list(check.missing),
            "spelled": check.spelled, "applied": bool(dictation.grammar),
            "report": check.report()}
