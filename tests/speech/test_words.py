"""Department word lists: reading the file, and checking the terms against a vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.speech.errors import WordListError
from engine.speech.model import SpeechModel
from engine.speech.words import MAX_BYTES, check_words, parse_word_list, read_word_list, spell
from tests.speech import voices

# A small Chinese vocabulary standing in for a model's: whole words and single characters.
VOCABULARY = {"蛋白", "肌", "钙", "胸痛", "压榨", "性", "硝酸", "甘油", "ct", "平扫", "[unk]"}


def has_word(word: str) -> bool:
    return word in VOCABULARY


def test_terms_are_read_in_order_without_comments_blanks_or_duplicates() -> None:
    raw = "\ufeff# 心内科\n肌钙蛋白\n\n  压榨性  \n肌钙蛋白\nCT   平扫\n".encode()

    assert parse_word_list(raw) == ["肌钙蛋白", "压榨性", "CT 平扫"]


def test_full_width_forms_are_normalised() -> None:
    assert parse_word_list("ＣＴ\n".encode()) == ["CT"]


@pytest.mark.parametrize(("raw", "message"), [
    (b"", "holds no terms"),
    (b"# only a comment\n\n", "holds no terms"),
    ("胸痛\n压榨".encode("gbk"), "is not UTF-8 (line 1); save it as UTF-8 text, not GBK"),
    ("胸痛\n".encode() + "胸痛".encode("gbk"), "is not UTF-8 (line 2)"),
    (b"abc\x00def", "contains NUL bytes"),
    (("很" * 41).encode(), "line 1: a term may have at most 40 characters (got 41)"),
    (b"x" * (MAX_BYTES + 1), "a word list may have at most 2,000,000"),
])
def test_bad_files_get_clear_errors(raw: bytes, message: str) -> None:
    with pytest.raises(WordListError) as caught:
        parse_word_list(raw, "cardio.txt")

    assert message in str(caught.value)
    assert str(caught.value).startswith("cardio.txt")


def test_missing_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(WordListError, match="does not exist; check setting vosk_words_file"):
        read_word_list(tmp_path / "none.txt")
    with pytest.raises(WordListError, match="is a folder"):
        read_word_list(tmp_path)


@pytest.mark.parametrize(("term", "pieces"), [
    ("胸痛", ["胸痛"]),
    ("肌钙蛋白", ["肌", "钙", "蛋白"]),
    ("压榨性", ["压榨", "性"]),
    ("CT 平扫", ["ct", "平扫"]),   # vocabularies are lower case
    ("心悸", None),                # no piece of it is known
    ("肌钙蛋白X", None),
])
def test_terms_are_spelled_with_the_fewest_known_words(term: str,
                                                       pieces: list[str] | None) -> None:
    assert spell(term, has_word) == pieces


def test_the_check_reports_missing_terms_by_name() -> None:
    check = check_words(["胸痛", "肌钙蛋白", "心悸", "硝酸甘油", "濒死感"], has_word)

    assert check.usable == ("胸痛", "肌 钙 蛋白", "硝酸 甘油")
    assert check.missing == ("心悸", "濒死感")
    assert check.spelled == {"肌钙蛋白": "肌 钙 蛋白", "硝酸甘油": "硝酸 甘油"}
    assert check.report() == ("3 of 5 terms usable; 2 spelled from smaller words; not in the "
                              "model's vocabulary, left out: 心悸、濒死感")


def test_a_static_graph_model_says_the_list_is_for_correction_only() -> None:
    check = check_words(["胸痛"], has_word, dynamic_graph=False)

    assert not check.applied
    assert "cannot take a word list; it is used for correction only" in check.report()


def test_the_grammar_adds_unk_only_when_the_model_knows_it() -> None:
    check = check_words(["胸痛", "肌钙蛋白"], has_word)

    assert json.loads(check.grammar(has_word)) == ["胸痛", "肌 钙 蛋白", "[unk]"]
    assert json.loads(check.grammar(lambda word: word != "[unk]")) == ["胸痛", "肌 钙 蛋白"]


@pytest.mark.slow
@pytest.mark.speech
def test_the_real_model_vocabulary_is_consulted(ko_model: SpeechModel) -> None:
    words = [*voices.WORDS, voices.NOT_IN_MODEL, *voices.SPELLED]

    check = check_words(words, ko_model.has_word)

    assert check.missing == (voices.NOT_IN_MODEL,)
    assert check.spelled == voices.SPELLED
    assert not ko_model.has_word("[unk]")
    assert json.loads(check.grammar(ko_model.has_word)) == [*voices.WORDS, "트로 포닌"]
