"""Misheard medical terms corrected by pronunciation, and the threshold that was measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.speech.cleanup import TERM, clean_dictation
from engine.speech.pinyin_fix import (
    THRESHOLD,
    TermCorrector,
    best_confidence,
    parse_syllable,
    separating_threshold,
    shipped_terms,
    syllable_similarity,
)

LABELLED = Path(__file__).parent / "data" / "misheard.tsv"


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in LABELLED.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            label, raw, expected = line.split("\t")
            rows.append((label, raw, expected))
    return rows


ROWS = _rows()
FIXES = [row for row in ROWS if row[0] == "fix"]
KEEPS = [row for row in ROWS if row[0] == "keep"]


@pytest.fixture(scope="module")
def corrector() -> TermCorrector:
    return TermCorrector(shipped_terms())


def test_the_labelled_set_is_big_enough_to_measure_on() -> None:
    assert len(FIXES) >= 40
    assert len(KEEPS) >= 30


def test_the_shipped_threshold_is_the_measured_one(corrector: TermCorrector) -> None:
    fix_scores = [best_confidence(corrector, raw) for _, raw, _ in FIXES]
    keep_scores = [best_confidence(corrector, raw) for _, raw, _ in KEEPS]

    measured = separating_threshold(fix_scores, keep_scores)

    assert measured is not None, "the labelled fixes and keeps overlap: no threshold works"
    assert pytest.approx(measured, abs=0.005) == THRESHOLD
    assert max(keep_scores) < THRESHOLD <= min(fix_scores)


@pytest.mark.parametrize(("label", "raw", "expected"), FIXES, ids=[r[1] for r in FIXES])
def test_misheard_terms_are_corrected(corrector: TermCorrector, label: str, raw: str,
                                      expected: str) -> None:
    cleaned = clean_dictation(raw, corrector)

    assert cleaned.text == expected
    assert len(cleaned.corrections) == 1
    fix = cleaned.corrections[0]
    assert fix.confidence >= THRESHOLD
    assert cleaned.text[fix.start:fix.end] == fix.after
    assert fix.before != fix.after


@pytest.mark.parametrize(("label", "raw", "expected"), KEEPS, ids=[r[1] for r in KEEPS])
def test_look_alike_words_are_kept(corrector: TermCorrector, label: str, raw: str,
                                   expected: str) -> None:
    cleaned = clean_dictation(raw, corrector)

    assert cleaned.text == expected
    assert cleaned.corrections == ()


def test_the_doctor_can_undo_a_correction(corrector: TermCorrector) -> None:
    cleaned = clean_dictation("急查 机 盖 蛋白 三 小时 后 复查", corrector)
    assert cleaned.text == "急查肌钙蛋白3小时后复查"
    (fix,) = cleaned.corrections
    assert (fix.before, fix.after, fix.kind) == ("机盖蛋白", "肌钙蛋白", TERM)

    undone = cleaned.undo(fix)

    assert undone.text == "急查机盖蛋白3小时后复查"
    assert undone.corrections == ()
    number = undone.edits[0]
    assert undone.text[number.start:number.end] == "3小时"


def test_a_stretch_must_sit_on_vosk_word_boundaries(corrector: TermCorrector) -> None:
    # Same sounds (guan1 xin1 bing4), but 病情 is one word: 冠心病 cannot hide in it.
    assert clean_dictation("家属 很 关心 病情", corrector).text == "家属很关心病情"
    assert clean_dictation("既往 关心 病", corrector).text == "既往冠心病"


def test_a_whole_vosk_word_needs_more_evidence(corrector: TermCorrector) -> None:
    split = corrector.score("鸡肝", "肌酐")
    whole = corrector.score("鸡肝", "肌酐", whole_word=True)

    assert split == 1.0
    assert whole == pytest.approx(0.8)
    assert whole < THRESHOLD <= split


def test_department_terms_join_the_vocabulary() -> None:
    with_list = TermCorrector([*shipped_terms(), "替罗非班"])

    assert clean_dictation("泵入 替 罗 飞 班", with_list).text == "泵入替罗非班"
    assert clean_dictation("泵入 替 罗 飞 班", TermCorrector(shipped_terms())).text == (
        "泵入替罗飞班")


def test_terms_already_right_are_never_touched(corrector: TermCorrector) -> None:
    cleaned = clean_dictation("肌钙蛋白 阴性 心电图 正常 阿司匹林 口服", corrector)

    assert cleaned.text == "肌钙蛋白阴性心电图正常阿司匹林口服"
    assert cleaned.corrections == ()


def test_only_chinese_terms_of_two_to_twelve_characters_are_indexed() -> None:
    corrector = TermCorrector(["心", "CT平扫", "肌钙蛋白", "D二聚体", "很" * 13, "肌钙蛋白"])

    assert corrector.terms == ("肌钙蛋白",)


@pytest.mark.parametrize(("tone3", "initial", "final", "tone"), [
    ("zha4", "zh", "a", "4"), ("ai2", "", "ai", "2"), ("le5", "l", "e", "5"),
    ("xiang1", "x", "iang", "1"), ("er2", "", "er", "2"), ("yu", "y", "u", "5"),
])
def test_syllables_are_split_into_initial_final_and_tone(tone3: str, initial: str, final: str,
                                                         tone: str) -> None:
    syllable = parse_syllable(tone3)

    assert (syllable.initial, syllable.final, syllable.tone) == (initial, final, tone)


@pytest.mark.parametrize(("heard", "wanted", "similarity"), [
    ("ji1", "ji1", 1.0), ("ji2", "ji1", 0.8), ("de5", "de2", 0.9), ("zan4", "zhan4", 0.7),
    ("lan2", "nang1", 0.6), ("bin1", "bing1", 0.7), ("fu2", "hu2", 0.7), ("ma1", "ka1", 0.0),
])
def test_syllable_similarity(heard: str, wanted: str, similarity: float) -> None:
    assert syllable_similarity(parse_syllable(heard), parse_syllable(wanted)) == similarity


def test_no_threshold_when_the_scores_overlap() -> None:
    assert separating_threshold([0.9, 0.95], [0.5, 0.8]) == 0.85
    assert separating_threshold([0.8, 0.95], [0.85]) is None
