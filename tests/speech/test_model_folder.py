"""Finding and checking the model folder: exact messages for every way a copy goes wrong.

Broken folders are built from the real Korean model by linking its files, leaving some out or
replacing them, so the check runs on real file layouts without copying 250 MB.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from engine.speech.errors import (
    ModelDamaged,
    ModelIncomplete,
    ModelMissing,
    ModelNotConfigured,
    NotAVoskModel,
)
from engine.speech.model import (
    INCOMPLETE,
    SpeechModel,
    check_model_folder,
    default_search_places,
    find_model_folder,
)
from tests.speech import voices

REAL = voices.model_folder()


def _linked_copy(target: Path, leave_out: tuple[str, ...] = (),
                 replace: dict[str, bytes] | None = None) -> Path:
    """The real model's files linked into `target`, some left out or replaced."""
    replace = replace or {}
    for source in REAL.rglob("*"):
        if not source.is_file():
            continue
        name = source.relative_to(REAL).as_posix()
        if name in leave_out:
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if name in replace:
            destination.write_bytes(replace[name])
        else:
            os.symlink(source, destination)
    return target


def test_the_packaged_model_is_complete_and_small() -> None:
    info = check_model_folder(REAL)

    assert info.folder == REAL
    assert info.dynamic_graph
    assert info.kind == "small (dynamic graph)"
    assert info.sample_rate == 16000


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "vosk-model-small-cn-0.22"

    with pytest.raises(ModelMissing) as caught:
        check_model_folder(missing)

    assert str(caught.value) == (f"Vosk model folder {missing} does not exist; check setting "
                                 "vosk_model_dir and that the share is reachable")


def test_an_archive_must_be_unzipped_first(tmp_path: Path) -> None:
    archive = tmp_path / "vosk-model-small-cn-0.22.zip"
    archive.write_bytes(b"PK\x03\x04")

    with pytest.raises(NotAVoskModel) as caught:
        check_model_folder(archive)

    assert str(caught.value) == (f"{archive} is an archive, not a folder: unzip it and set "
                                 "vosk_model_dir to the folder inside")


def test_a_plain_file_is_not_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "model.txt"
    file.write_text("x")

    with pytest.raises(NotAVoskModel, match="is a file; setting vosk_model_dir must name"):
        check_model_folder(file)


def test_a_folder_of_something_else(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("hello")

    with pytest.raises(NotAVoskModel) as caught:
        check_model_folder(tmp_path)

    assert str(caught.value) == (f"{tmp_path} is not a Vosk model folder: it has none of "
                                 "am/final.mdl, conf/model.conf, graph/")


def test_a_speaker_identification_model_is_the_wrong_kind(tmp_path: Path) -> None:
    for name in ("final.ext.raw", "mfcc.conf", "mean.vec", "transform.mat"):
        (tmp_path / name).write_bytes(b"\x00B")

    with pytest.raises(NotAVoskModel, match="speaker-identification model, not a speech-"):
        check_model_folder(tmp_path)


def test_a_model_one_folder_down_is_found(tmp_path: Path) -> None:
    inner = _linked_copy(tmp_path / "vosk-model-small-ko")

    assert check_model_folder(tmp_path).folder == inner


@pytest.mark.parametrize("leave_out", [
    ("am/final.mdl",),
    ("conf/mfcc.conf", "graph/phones/word_boundary.int"),
    ("graph/Gr.fst",),
    ("graph/disambig_tid.int",),
    ("ivector/final.ie", "ivector/splice.conf"),
])
def test_missing_files_are_each_named(tmp_path: Path, leave_out: tuple[str, ...]) -> None:
    folder = _linked_copy(tmp_path / "copy", leave_out)

    with pytest.raises(ModelIncomplete) as caught:
        check_model_folder(folder)

    assert caught.value.problems == leave_out
    assert str(caught.value) == INCOMPLETE.format(folder=folder, missing=", ".join(leave_out))
    assert str(caught.value).endswith("; copy the whole model folder again")


def test_no_graph_at_all_names_both_layouts(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path / "copy", ("graph/HCLr.fst", "graph/Gr.fst"))

    with pytest.raises(ModelIncomplete) as caught:
        check_model_folder(folder)

    assert caught.value.problems == (
        "graph/HCLr.fst with graph/Gr.fst (small model) or graph/HCLG.fst with "
        "graph/words.txt (large model)",)


def test_a_large_model_layout_is_recognised(tmp_path: Path) -> None:
    folder = _linked_copy(tmp_path / "big", ("graph/HCLr.fst", "graph/Gr.fst"))
    os.symlink(REAL / "graph" / "HCLr.fst", folder / "graph" / "HCLG.fst")

    with pytest.raises(ModelIncomplete) as caught:
        check_model_folder(folder)
    assert caught.value.problems == ("graph/words.txt",)

    (folder / "graph" / "words.txt").write_text("<eps> 0\n가 1\n", "utf-8")
    info = check_model_folder(folder)
    assert not info.dynamic_graph
    assert info.kind == "large (static graph)"


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("am/final.mdl", b"", "am/final.mdl is empty"),
    ("graph/HCLr.fst", b"version https://git-lfs.github.com/spec/v1\noid sha256:ab\n",
     "graph/HCLr.fst is a Git LFS pointer, not the file itself"),
    ("ivector/final.ie", b"<html>404 Not Found</html>", "ivector/final.ie is not a Kaldi file"),
    ("conf/model.conf", b"", "conf/model.conf is empty"),
])
def test_damaged_files_are_named(tmp_path: Path, name: str, content: bytes,
                                 problem: str) -> None:
    folder = _linked_copy(tmp_path / "copy", replace={name: content})

    with pytest.raises(ModelDamaged) as caught:
        check_model_folder(folder)

    assert caught.value.problems == (problem,)
    assert str(caught.value) == (f"Vosk model in {folder} is damaged: {problem}; copy the "
                                 "whole model folder again")


def test_a_sample_rate_in_mfcc_conf_is_read(tmp_path: Path) -> None:
    conf = (REAL / "conf" / "mfcc.conf").read_bytes() + b"--sample-frequency=8000\n"
    folder = _linked_copy(tmp_path / "copy", replace={"conf/mfcc.conf": conf})

    assert check_model_folder(folder).sample_rate == 8000


@pytest.mark.slow
@pytest.mark.speech
def test_a_truncated_file_that_vosk_refuses_gets_our_message(tmp_path: Path) -> None:
    cut = (REAL / "am" / "final.mdl").read_bytes()[:4096]  # the header is right, the rest gone
    folder = _linked_copy(tmp_path / "copy", replace={"am/final.mdl": cut})

    with pytest.raises(ModelDamaged) as caught:
        SpeechModel.load(folder)

    assert str(caught.value) == (f"Vosk could not load the model in {folder} (a file may be "
                                 "truncated or from another Vosk version); copy the whole model "
                                 "folder again")


def test_the_setting_wins_over_searching(tmp_path: Path) -> None:
    assert find_model_folder(f"  {tmp_path}  ", []) == tmp_path


def test_an_empty_setting_searches_the_usual_places(tmp_path: Path) -> None:
    first, second = tmp_path / "share", tmp_path / "app" / "models"
    (second / "vosk-model-small-en-us-0.15").mkdir(parents=True)
    (second / "vosk-model-small-cn-0.22").mkdir()
    (second / "not-a-model").mkdir()

    assert find_model_folder("", [first, second]) == second / "vosk-model-small-cn-0.22"


def test_nothing_found_says_where_it_looked(tmp_path: Path) -> None:
    places = [tmp_path / "a", tmp_path / "b"]

    with pytest.raises(ModelNotConfigured) as caught:
        find_model_folder("", places)

    assert str(caught.value) == (
        "no Vosk model is set: put the folder IT delivered (for example vosk-model-small-cn-0.22)"
        f" in setting vosk_model_dir; searched: {places[0]}, {places[1]}")


def test_default_places_start_with_the_data_folder(sentinel_home: Path) -> None:
    places = default_search_places()

    assert places[0] == sentinel_home / "models"
    assert len(places) == len(set(places))


def test_the_model_check_never_needs_vosk(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Checking runs before loading, so a missing file is reported even if Vosk is broken.
    monkeypatch.setitem(sys.modules, "vosk", None)
    folder = _linked_copy(tmp_path / "copy", ("am/final.mdl",))

    with pytest.raises(ModelIncomplete, match=r"missing am/final\.mdl"):
        check_model_folder(folder)
