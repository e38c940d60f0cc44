"""Dictation speed: real-time factor and the delay from the end of speech to the final text.

    .venv/bin/python bench/dictation_bench.py [--files 6] [--chunk 0.1] [--pinyin]

Each file holds two Korean sentences (espeak-ng) with a 1.2 s pause between them, recognised
by the packaged Korean Vosk model exactly as the microphone feeds it: in `--chunk` second
pieces. A virtual clock replays the stream in real time without sleeping: a piece can be
processed once it has been recorded and the previous piece is done, so

    final delay = when the piece that produced the final was done - when the speech ended

(speech ends are read from the audio itself: espeak-ng's silence is exact zeros). RTF is the
processing time over the audio's length. Medians over the files; targets: RTF <= 0.3 with a
word list, <= 0.8 with the full vocabulary, final <= 0.8 s after the pause.

`--pinyin` also measures the pinyin corrector's threshold on tests/speech/data/misheard.tsv.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.speech.audio import Audio, read_wav  # noqa: E402
from engine.speech.endpoint import EndpointConfig  # noqa: E402
from engine.speech.model import SpeechModel  # noqa: E402
from engine.speech.recognizer import Final, Partial, StreamingRecognizer  # noqa: E402
from engine.speech.words import check_words  # noqa: E402
from tests.speech import voices  # noqa: E402

PAUSE_S = 1.2
SILENT_GAP_S = 0.3  # a quiet stretch this long separates utterances when reading the audio


@dataclass
class Run:
    rtf: float
    delays: list[float]
    first_partial: list[float]
    finals: int


def speech_spans(audio: Audio) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of speech in espeak-ng audio."""
    loud = np.flatnonzero(audio.samples != 0)
    if not len(loud):
        return []
    gaps = np.flatnonzero(np.diff(loud) > SILENT_GAP_S * audio.rate)
    starts = [loud[0], *loud[gaps + 1]]
    ends = [*loud[gaps], loud[-1]]
    return [(s / audio.rate, (e + 1) / audio.rate) for s, e in zip(starts, ends, strict=True)]


def stream(model: SpeechModel, audio: Audio, grammar: str | None, endpoint: EndpointConfig,
           chunk_s: float) -> Run:
    recognizer = StreamingRecognizer(model, audio.rate, grammar=grammar, endpoint=endpoint)
    step = round(chunk_s * audio.rate)
    spans = speech_spans(audio)
    done = 0.0
    busy = 0.0
    finals: list[float] = []
    partials: list[float] = []
    pieces = [audio.samples[i:i + step] for i in range(0, len(audio.samples), step)]
    for index, piece in enumerate([*pieces, None]):
        recorded = min((index + 1) * step, len(audio.samples)) / audio.rate
        started = time.perf_counter()
        events = recognizer.accept(piece) if piece is not None else recognizer.finish()
        spent = time.perf_counter() - started
        busy += spent
        done = max(recorded, done) + spent
        for event in events:
            if isinstance(event, Final):
                finals.append(done)
            elif isinstance(event, Partial):
                partials.append(done)

    delays = [at - end for at, (_, end) in zip(finals, spans, strict=False)]
    first = []
    for start, end in spans:
        heard = [at - start for at in partials if start <= at <= end + PAUSE_S]
        if heard:
            first.append(heard[0])
    return Run(busy / audio.seconds, delays, first, len(finals))


def recordings(folder: Path, count: int, rate: int) -> list[Audio]:
    files = []
    for n in range(count):
        said = [voices.SENTENCES[n % len(voices.SENTENCES)],
                voices.SENTENCES[(n + 3) % len(voices.SENTENCES)]]
        path = voices.utterances(said, folder / f"bench-{rate}-{n}.wav", rate, PAUSE_S)
        files.append(read_wav(path))
    return files


def row(label: str, runs: list[Run], target_rtf: float) -> str:
    rtf = statistics.median(run.rtf for run in runs)
    delays = [d for run in runs for d in run.delays]
    firsts = [f for run in runs for f in run.first_partial]
    finals = sum(run.finals for run in runs)
    delay = statistics.median(delays)
    verdict = "ok" if rtf <= target_rtf and delay <= 0.8 else "MISSED"
    return (f"{label:<38} {rtf:6.3f} ({'<=' if rtf <= target_rtf else '> '}{target_rtf})"
            f"  {delay:5.2f} {max(delays):5.2f}  {statistics.median(firsts):5.2f}"
            f"  {finals:3d}  {verdict}")


def bench_speech(files: int, chunk_s: float) -> None:
    started = time.perf_counter()
    model = SpeechModel.load(voices.model_folder())
    load_s = time.perf_counter() - started
    grammar = check_words(voices.WORDS, model.has_word).grammar(model.has_word)
    tuned = EndpointConfig()
    vosk_only = EndpointConfig(pause_s=5.0)  # our detector out of the way: Vosk's rules only

    with tempfile.TemporaryDirectory() as folder:
        at_16k = recordings(Path(folder), files, 16000)
        at_44k = recordings(Path(folder), files, 44100)
        speech = statistics.median(sum(e - s for s, e in speech_spans(a)) for a in at_16k)
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work shares them)")
        print(f"model {voices.model_folder().parent.name}: loaded in {load_s:.1f} s; "
              f"{files} files of {statistics.median(a.seconds for a in at_16k):.1f} s "
              f"({speech:.1f} s speech, two utterances, {PAUSE_S} s pause); "
              f"chunks of {chunk_s} s; pause detector {tuned.pause_s} s")
        print(f"{'':<38} {'RTF median':<15} {'final delay s':<13} {'1st partial':<12}"
              f"{'finals'}")
        print(f"{'':<38} {'':<15} {'median  max':<13} {'s, median':<12}")
        cases = [
            ("word list, 16 kHz", at_16k, grammar, tuned, 0.3),
            ("word list, 44.1 kHz (resampled)", at_44k, grammar, tuned, 0.3),
            ("full vocabulary, 16 kHz", at_16k, None, tuned, 0.8),
            ("full vocabulary, Vosk endpointing only", at_16k, None, vosk_only, 0.8),
        ]
        for label, audios, words, endpoint, target in cases:
            runs = [stream(model, audio, words, endpoint, chunk_s) for audio in audios]
            print(row(label, runs, target))


def bench_pinyin() -> None:
    from engine.speech.pinyin_fix import (
        THRESHOLD,
        TermCorrector,
        best_confidence,
        separating_threshold,
        shipped_terms,
    )

    corrector = TermCorrector(shipped_terms())
    rows = [line.split("\t") for line in
            (REPO / "tests/speech/data/misheard.tsv").read_text("utf-8").splitlines()
            if line and not line.startswith("#")]
    fixes = sorted(best_confidence(corrector, raw) for label, raw, _ in rows if label == "fix")
    keeps = sorted(best_confidence(corrector, raw) for label, raw, _ in rows if label == "keep")
    measured = separating_threshold(fixes, keeps)
    print(f"\npinyin correction over {len(fixes)} misheard terms and {len(keeps)} look-alikes")
    print(f"  misheard: lowest {fixes[0]:.3f}, median {statistics.median(fixes):.3f}")
    look_alikes = [k for k in keeps if k > 0]
    print(f"  look-alikes: {len(look_alikes)} of {len(keeps)} sound like a term; highest "
          f"{keeps[-1]:.3f}; scores {', '.join(f'{k:.3f}' for k in look_alikes)}")
    print(f"  measured threshold (half-way between): {measured}; shipped: {THRESHOLD}")
    fixed = sum(score >= THRESHOLD for score in fixes)
    kept = sum(score < THRESHOLD for score in keeps)
    print(f"  at {THRESHOLD}: {fixed}/{len(fixes)} corrected, {kept}/{len(keeps)} kept")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--chunk", type=float, default=0.1, help="seconds per audio piece")
    parser.add_argument("--pinyin", action="store_true", help="also measure the threshold")
    args = parser.parse_args()
    bench_speech(args.files, args.chunk)
    if args.pinyin:
        bench_pinyin()
    return 0


if __name__ == "__main__":
    sys.exit(main())
