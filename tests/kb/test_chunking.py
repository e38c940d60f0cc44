"""Chunks: headings, sentence ends, long sentences, offsets, and duplicate removal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.chunking import MAX_CHARS, chunk_text, heading_level
from kb.dedup import duplicates, simhash, text_hash


def test_chinese_numbered_headings_nest_below_markdown_ones() -> None:
    text = "## 鉴别诊断\n一、急性冠脉综合征\n典型胸痛。\n（一）心电图\n十分钟内完成。\n"

    sections = [chunk.section for chunk in chunk_text(text)]

    assert sections == ["鉴别诊断 > 一、急性冠脉综合征",
                        "鉴别诊断 > 一、急性冠脉综合征 > （一）心电图"]


def test_a_sentence_line_is_never_taken_for_a_heading() -> None:
    assert heading_level("1.1 立即完成心电图检查。") is None
    assert heading_level("一、诊断") == (12, "一、诊断")
    assert heading_level("# 胸痛") == (1, "胸痛")


def test_long_text_is_cut_at_sentence_ends_within_the_limit() -> None:
    sentence = "胸痛患者应在到达后十分钟内完成心电图检查并由医师判读。"
    text = "# 流程\n" + sentence * 40

    chunks = chunk_text(text)

    assert len(chunks) > 1
    assert all(len(chunk.text) <= MAX_CHARS for chunk in chunks)
    assert all(chunk.text.endswith("。") for chunk in chunks)
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))


def test_a_sentence_without_end_punctuation_is_cut_at_commas() -> None:
    text = "，".join(["持续胸痛伴大汗"] * 200)

    chunks = chunk_text(text)

    assert len(chunks) > 1
    assert all(len(chunk.text) <= MAX_CHARS for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["胸痛", "心电图。", "\n", "\n\n", "# 标题\n", "ECG ", "，",
                                 "一、诊断\n", "复查肌钙蛋白！", "第 3 页\n"]), max_size=80))
def test_every_chunk_character_comes_from_its_source_span_in_order(parts: list[str]) -> None:
    text = "".join(parts)

    for chunk in chunk_text(text):
        assert 0 <= chunk.start < chunk.end <= len(text)
        # Dropped boilerplate lines may sit inside the span, so the chunk is a subsequence.
        remaining = iter(text[chunk.start:chunk.end])
        assert all(char in remaining for char in chunk.text if char not in " \n")


def test_exact_and_near_duplicates_are_found_but_different_text_is_not() -> None:
    paragraph = ("急性胸痛患者到达急诊后应在十分钟内完成十二导联心电图，并由接诊医师判读；"
                 "怀疑急性冠脉综合征者立即抽血查高敏肌钙蛋白，一小时后复查，同时评估生命体征，"
                 "建立静脉通路，给予心电监护和吸氧，必要时通知心内科会诊。")
    near = paragraph.replace("一小时后复查", "1小时后复查")
    other = "自发性气胸多见于瘦高体型青年男性，突发胸痛伴气促，胸片可见气胸线。" * 3

    found = duplicates([paragraph, other, paragraph.replace("，", ","), near])

    assert found == {2: 0, 3: 0}
    assert text_hash(paragraph) == text_hash(paragraph.replace("，", ","))
    assert simhash(paragraph) != simhash(other)
