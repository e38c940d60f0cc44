"""Clean-up of Vosk's text: spacing and numbers, over many Chinese forms.

Each table row is what Vosk writes (spaced words, numerals in characters) and what a doctor
would have typed. The last tables hold what must stay exactly as said.
"""

from __future__ import annotations

import re

import pytest

from engine.speech.cleanup import (
    NUMBER,
    Edit,
    clean_dictation,
    clean_text,
    join_words,
)
from tests.conftest import load_jsonl

SPACING = [
    ("持续 胸痛 伴 出汗", "持续胸痛伴出汗"),
    ("  胸口   像 石头 压 着  ", "胸口像石头压着"),
    ("查 ct 平扫", "查ct平扫"),
    ("查 CT 平扫 和 D 二聚体", "查CT平扫和D二聚体"),
    ("hs cTnT 升高", "hs cTnT升高"),
    ("[unk] 胸痛 <unk> 三 天", "胸痛3天"),
    ("胸痛 ， 出汗 。", "胸痛，出汗。"),
    ("고양이 오렌지 모자", "고양이 오렌지 모자"),  # Korean keeps its spaces
    ("", ""),
]

NUMBERS = [
    # durations and counts before a unit
    ("持续 胸痛 三 小时", "持续胸痛3小时"),
    ("持续 胸痛 两 个 小时 伴 出汗 没有 发烧", "持续胸痛2个小时伴出汗没有发烧"),
    ("疼 二十 分钟", "疼20分钟"),
    ("十 分钟 前", "10分钟前"),
    ("四十五 分钟", "45分钟"),
    ("三 天 前", "3天前"),
    ("一 周 前 开始", "1周前开始"),
    ("两 周", "2周"),
    ("三 个 月", "3个月"),
    ("半 年 前 开始", "半年前开始"),
    ("十 年", "10年"),
    ("二十 多 年", "20多年"),
    ("十 余 天", "10余天"),
    ("一 个 多 小时", "1个多小时"),
    ("一个 半 小时 前", "1个半小时前"),
    ("三 天 半", "3天半"),
    ("三十 秒", "30秒"),
    ("咯血 两 次", "咯血2次"),
    ("一 天 两 次", "1天2次"),
    ("每 两 小时 一 次", "每2小时1次"),
    ("第一 次 发作", "第1次发作"),
    # age, habits, doses
    ("男 六十二 岁", "男62岁"),
    ("女 三十八 岁", "女38岁"),
    ("吸烟 三十 年 每天 二十 支", "吸烟30年每天20支"),
    ("每天 一 包 烟", "每天1包烟"),
    ("阿司匹林 三百 毫克 嚼服", "阿司匹林300毫克嚼服"),
    ("零 点 五 毫克", "0.5毫克"),
    ("硝酸甘油 零 点 五 毫克 舌下", "硝酸甘油0.5毫克舌下"),
    ("青霉素 八十万 单位", "青霉素80万单位"),
    ("尿量 五百 毫升", "尿量500毫升"),
    ("体重 七十 公斤", "体重70公斤"),
    ("体重 七十", "体重70"),
    ("一 千克", "1千克"),
    ("瘦 了 五 斤", "瘦了5斤"),
    ("肿块 三 厘米", "肿块3厘米"),
    ("升高 两 倍", "升高2倍"),
    ("三 号 床", "3号床"),
    ("二零二四 年 三 月", "2024年3月"),
    # vital signs after their name
    ("心率 一百一十", "心率110"),
    ("心率 一百零八", "心率108"),
    ("心率 是 九十", "心率是90"),
    ("心率 一百一十 次 每 分钟", "心率110次/分"),
    ("脉搏 八十八 次 每 分", "脉搏88次/分"),
    ("呼吸 二十四 次 每 分", "呼吸24次/分"),
    ("呼吸 二十四", "呼吸24"),
    ("体温 三十八 点 五", "体温38.5"),
    ("体温 三十八 点 五 度", "体温38.5度"),
    ("体温 三十八 度 五", "体温38.5度"),
    ("发热 最高 三十九 度", "发热最高39度"),
    ("三十九 度 二", "39.2度"),
    ("血氧 九十四", "血氧94"),
    ("血氧 饱和度 九十二", "血氧饱和度92"),
    ("氧饱和度 百分之 九十二", "氧饱和度92%"),
    ("指脉氧 百分之 九十五 点 五", "指脉氧95.5%"),
    ("血糖 十二 点 三", "血糖12.3"),
    ("血糖 十二 点 三 毫摩尔", "血糖12.3毫摩尔"),
    ("收缩压 一百八", "收缩压180"),
    ("高压 一百六 低压 九十五", "高压160低压95"),
    ("评分 三 分", "评分3分"),
    ("GCS 十五 分", "GCS15分"),
    ("年龄 七十", "年龄70"),
    # blood pressure: systolic/diastolic when only one reading fits
    ("血压 一百六十 九十五", "血压160/95"),
    ("血压一百六十九十五", "血压160/95"),
    ("血压 一百六十 比 九十五", "血压160/95"),
    ("血压 是 一百二十 比 八十", "血压是120/80"),
    ("血压 一百四十 杠 九十", "血压140/90"),
    ("血压 一百九十 一百一十", "血压190/110"),
    ("血压 九十 六十", "血压90/60"),
    ("血压 一百六十 九十五 毫米汞柱", "血压160/95毫米汞柱"),
    ("血压 一百二十八", "血压128"),
    ("血压 一百二十", "血压120"),
    ("血压 九十", "血压90"),
    ("血压 一百六 九十", "血压160/90"),
    # percentages and clock times
    ("百分之 九十五", "95%"),
    ("下午 三 点 二十 分 发病", "下午3点20分发病"),
    ("凌晨 两 点 半", "凌晨2点半"),
    ("早上 九 点", "早上9点"),
    ("三 点 钟", "3点钟"),
    ("九 点 二十 分", "9点20分"),
    # long numerals on their own
    ("一百一十二", "112"),
    ("两百", "200"),
    ("三十五", "35"),
    ("三千", "3000"),
]

AS_SAID = [
    # words that hold numerals
    "一般情况可", "一直胸闷", "一过性黑矇", "十二指肠溃疡", "二尖瓣反流", "三尖瓣", "四肢无力",
    "五官端正", "二便正常", "三凹征", "十分难受", "万一出事", "千万不要", "一度房室传导阻滞",
    "二度烧伤", "心功能三级", "一次性注射", "三天两头胸闷", "三番五次", "一五一十", "一年四季",
    "一回事", "好一点", "有一点闷", "一点点", "一下子", "一会儿", "二甲双胍", "一氧化碳",
    "一样疼", "第一", "统一", "单一",
    # approximations
    "一两天", "两三个小时", "三四个小时", "十五六岁", "十几年", "二十几岁", "七八十岁",
    "三五天", "几个小时", "数小时",
    # ambiguous or implausible readings
    "血压一百三十",   # 130 alone, or 100/30?
    "血压一百九十",   # 190, or 100/90?
    "身高一米七",     # 1.7 m: a second number glued to the unit
    "九点",           # nine o'clock, or nine points, with no time word
    "三点五",         # 3.5, or 3:05?
    "心率一千",       # not a heart rate
    "体温八十度",     # not a body temperature
    "血氧一百二十",   # saturation above 100
    "下午二十五点",   # not an hour
]


@pytest.mark.parametrize(("raw", "cleaned"), SPACING)
def test_spacing(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(("raw", "cleaned"), NUMBERS)
def test_numbers_a_doctor_writes_in_digits(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize("said", AS_SAID)
def test_everything_else_stays_as_said(said: str) -> None:
    assert clean_text(said) == said
    assert clean_text(" ".join(said)) == said  # even when Vosk spaces every character


@pytest.mark.parametrize(("raw", "cleaned"), NUMBERS[:20])
def test_the_clean_up_is_idempotent(raw: str, cleaned: str) -> None:
    assert clean_text(cleaned) == cleaned


def test_typed_text_with_digits_is_left_alone() -> None:
    typed = "男，62岁，持续左胸痛3小时，血压160/95mmHg，HR 108次/分，SpO2 92%。"

    assert clean_text(typed) == typed


def test_each_number_is_an_edit_at_its_place_in_the_cleaned_text() -> None:
    cleaned = clean_dictation("男 六十二 岁 胸痛 三 小时 血压 一百六十 九十五")

    assert cleaned.text == "男62岁胸痛3小时血压160/95"
    assert cleaned.raw == "男 六十二 岁 胸痛 三 小时 血压 一百六十 九十五"
    assert cleaned.edits == (
        Edit(1, 4, "六十二岁", "62岁", NUMBER),
        Edit(6, 9, "三小时", "3小时", NUMBER),
        Edit(11, 17, "一百六十九十五", "160/95", NUMBER),
    )
    for edit in cleaned.edits:
        assert cleaned.text[edit.start:edit.end] == edit.after
    assert cleaned.corrections == ()


def test_undoing_an_edit_restores_the_words_and_moves_the_later_ones() -> None:
    cleaned = clean_dictation("心率 一百一十 胸痛 三 小时")
    first, second = cleaned.edits
    assert cleaned.text == "心率110胸痛3小时"

    undone = cleaned.undo(first)

    assert undone.text == "心率一百一十胸痛3小时"
    assert undone.edits == (Edit(second.start + 1, second.end + 1, "三小时", "3小时", NUMBER),)
    assert undone.text[undone.edits[0].start:undone.edits[0].end] == "3小时"
    with pytest.raises(ValueError, match="not part of this text"):
        undone.undo(first)


def test_word_spans_follow_the_joined_text() -> None:
    joined = join_words("查 CT 平扫 [unk] 肌钙蛋白")

    assert joined.text == "查CT平扫肌钙蛋白"
    assert [joined.text[s:e] for s, e in joined.tokens] == ["查", "CT", "平扫", "肌钙蛋白"]


VOSK_STYLE = [case for case in load_jsonl("findings.jsonl") if " " in case["text"]
              and not re.search(r"[0-9，。]", case["text"])]
_NUMERAL = re.compile(r"[零〇一二三四五六七八九十百千万两幺0-9./%]")


@pytest.mark.parametrize("case", VOSK_STYLE, ids=[case["id"] for case in VOSK_STYLE])
def test_the_shared_vosk_style_cases_keep_every_word(case: dict) -> None:
    # What the findings extractor reads must still be there: outside the numbers, the cleaned
    # text holds exactly Vosk's characters in Vosk's order.
    cleaned = clean_text(case["text"])

    assert " " not in cleaned
    assert _NUMERAL.sub("", cleaned) == _NUMERAL.sub("", case["text"].replace(" ", ""))


def test_the_shared_cases_durations_come_out_in_digits() -> None:
    durations = {case["id"]: clean_text(case["text"]) for case in VOSK_STYLE}

    assert "2个小时" in durations["pub-02"]
    assert "20分钟" in durations["pub-10"]
    assert "一样疼" in durations["pub-10"]  # 一样 is a word, not the number one
