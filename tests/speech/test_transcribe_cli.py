"""`sentinel transcribe`, run through the real entry point with the real model."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.settings import Settings
from tests.speech import voices

pytestmark = [pytest.mark.slow, pytest.mark.speech]


@pytest.fixture(scope="module")
def two_sentences(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    return voices.utterances([voices.SENTENCES[0], voices.SENTENCES[2]], folder / "two.wav",
                             rate=22050, pause_s=1.2)


@pytest.fixture
def word_list(tmp_path: Path) -> Path:
    path = tmp_path / "ward.txt"
    path.write_text("# test ward\n" + "\n".join([*voices.WORDS, voices.NOT_IN_MODEL]) + "\n",
                    "utf-8")
    return path


def test_prints_the_text(two_sentences: Path, word_list: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["transcribe", str(two_sentences), "--model", str(voices.model_folder()),
                 "--words", str(word_list)])

    assert code == 0
    assert capsys.readouterr().out == f"{voices.SENTENCES[0]} {voices.SENTENCES[2]}\n"


def test_json_adds_partials_timing_and_the_real_time_factor(
        two_sentences: Path, word_list: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["transcribe", str(two_sentences), "--model", str(voices.model_folder()),
                 "--words", str(word_list), "--json"])

    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["text"] == f"{voices.SENTENCES[0]} {voices.SENTENCES[2]}"
    assert report["input_rate"] == 22050
    assert report["model_kind"] == "small (dynamic graph)"
    assert [final["raw"] for final in report["finals"]] == [voices.SENTENCES[0],
                                                             voices.SENTENCES[2]]
    assert all(final["reason"] == "pause" for final in report["finals"])
    assert all(final["delay_after_speech_s"] > 0 for final in report["finals"])
    assert report["partials"] and all(p["text"] and p["audio_s"] > 0 and p["wall_s"] >= 0
                                      for p in report["partials"])
    assert report["first_partial_audio_s"] == report["partials"][0]["audio_s"]
    assert report["rtf"] == pytest.approx(report["processing_s"] / report["audio_s"], rel=0.01)
    assert 0 < report["rtf"] < 1
    assert report["word_list"]["missing"] == [voices.NOT_IN_MODEL]
    assert report["word_list"]["applied"] is True


def test_the_settings_supply_model_and_word_list(two_sentences: Path, word_list: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.load()
    settings.set_user("vosk_model_dir", str(voices.model_folder()))
    settings.set_user("vosk_words_file", str(word_list))

    assert main(["transcribe", str(two_sentences)]) == 0
    assert capsys.readouterr().out.startswith(voices.SENTENCES[0])


def test_a_broken_wav_is_a_clear_usage_error(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    truncated = tmp_path / "cut.wav"
    whole = voices.synthesize(voices.SENTENCES[1], tmp_path / "whole.wav").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])

    code = main(["transcribe", str(truncated), "--model", str(voices.model_folder())])

    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"sentinel: error: {truncated} is truncated: its header promises ")
    assert "(the copy or recording was cut short)" in error


def test_a_missing_model_is_a_clear_usage_error(two_sentences: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    incomplete = tmp_path / "vosk-model-small-cn-0.22"
    (incomplete / "conf").mkdir(parents=True)
    os.symlink(voices.model_folder() / "conf" / "model.conf", incomplete / "conf" / "model.conf")

    code = main(["transcribe", str(two_sentences), "--model", str(incomplete)])

    assert code == 2
    assert capsys.readouterr().err == (
        f"sentinel: error: Vosk model in {incomplete} is incomplete: missing am/final.mdl, "
        "conf/mfcc.conf, graph/phones/word_boundary.int, graph/HCLr.fst with graph/Gr.fst "
        "(small model) or graph/HCLG.fst with graph/words.txt (large model); copy the whole "
        "model folder again\n")


def test_no_model_anywhere(two_sentences: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["transcribe", str(two_sentences)])

    assert code == 2
    assert capsys.readouterr().err.startswith("sentinel: error: no Vosk model is set: put the "
                                              "folder IT delivered")
