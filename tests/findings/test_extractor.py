"""The rule extractor, family by family: synonyms, negation scopes, numerals, vitals, durations,
context (radiation, family history) and the evidence spans behind every finding."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.findings import extract
from engine.findings.numerals import parse_number
from engine.findings.text import normalise
from tests.findings.helpers import spans_cover

# --- Synonym families: each colloquial or written form gives its id --------------------------

SYMPTOMS = [
    ("胸痛", "chest_pain"), ("胸口疼", "chest_pain"), ("胸口压着疼", "chest_pain"),
    ("心前区疼痛", "chest_pain"), ("胸骨后压榨样疼痛", "chest_pain"),
    ("胸背部剧烈疼痛", "chest_pain"),
    ("胸闷", "chest_tightness"), ("胸口发闷", "chest_tightness"), ("心口闷", "chest_tightness"),
    ("憋闷", "chest_tightness"),
    ("气短", "dyspnea"), ("气促", "dyspnea"), ("喘不上气", "dyspnea"), ("呼吸困难", "dyspnea"),
    ("有点喘", "dyspnea"), ("上不来气", "dyspnea"),
    ("出汗", "diaphoresis"), ("大汗淋漓", "diaphoresis"), ("出了一身冷汗", "diaphoresis"),
    ("冒冷汗", "diaphoresis"),
    ("恶心", "nausea"), ("想吐", "nausea"), ("呕吐", "vomiting"), ("吐了两次", "vomiting"),
    ("晕厥", "syncope"), ("晕倒", "syncope"), ("意识丧失", "syncope"),
    ("头晕", "dizziness"), ("头昏", "dizziness"),
    ("心慌", "palpitations"), ("心悸", "palpitations"), ("心跳很快", "palpitations"),
    ("咳嗽", "cough"), ("咳痰", "cough"),
    ("咯血", "hemoptysis"), ("痰中带血", "hemoptysis"), ("咳出血来", "hemoptysis"),
    ("发热", "fever"), ("发烧", "fever"), ("低热", "fever"),
    ("后背痛", "back_pain"), ("背部疼痛", "back_pain"),
    ("腹痛", "abdominal_pain"), ("肚子疼", "abdominal_pain"), ("剑突下疼痛", "abdominal_pain"),
    ("双下肢水肿", "leg_swelling"), ("左小腿肿痛", "leg_swelling"), ("腿肿", "leg_swelling"),
    ("端坐呼吸", "orthopnea"), ("不能平卧", "orthopnea"), ("高枕卧位", "orthopnea"),
    ("反酸", "acid_reflux"), ("烧心", "acid_reflux"),
]


@pytest.mark.parametrize(("text", "symptom"), SYMPTOMS)
def test_symptom_synonyms(text: str, symptom: str) -> None:
    findings = extract(text)
    assert symptom in findings.present
    assert findings.absent == []
    spans_cover(text, findings.to_dict()["evidence"])


@pytest.mark.parametrize(("text", "wrong"), [
    ("黑矇", "syncope"),             # a blackout of vision is not a faint
    ("晕厥前兆", "syncope"),
    ("放射至后背", "back_pain"),     # a radiation target is not back pain
    ("盗汗", "diaphoresis"),
    ("哮喘", "dyspnea"),
    ("平卧加重", "orthopnea"),       # a position that worsens pain
    ("深呼吸及咳嗽时加重", "cough"),  # when the pain worsens, not a cough
    ("胸闷，腹痛", "chest_pain"),
    ("胸部闷痛", "chest_tightness"),  # 闷痛 is the pain's character
])
def test_words_that_are_not_the_finding(text: str, wrong: str) -> None:
    assert wrong not in extract(text).present


@pytest.mark.parametrize(("text", "field", "value"), [
    ("突发胸痛", "onset", "sudden"), ("起病急", "onset", "sudden"),
    ("一下子就疼", "onset", "sudden"), ("逐渐出现胸闷", "onset", "gradual"),
    ("持续胸痛", "course", "persistent"), ("间断胸痛", "course", "intermittent"),
    ("一阵一阵的疼", "course", "intermittent"), ("阵发性胸痛", "course", "intermittent"),
])
def test_onset_and_course(text: str, field: str, value: str) -> None:
    assert getattr(extract(text), field) == value


def test_treatment_given_continuously_is_not_a_course() -> None:
    assert extract("予持续吸氧、心电监护").course is None


def test_paroxysmal_nocturnal_dyspnoea_is_not_a_course() -> None:
    assert extract("夜间阵发性呼吸困难").course is None


def test_each_episode_lasting_minutes_is_not_persistent() -> None:
    assert extract("每次持续约5分钟").course is None


LIST_VALUES = [
    ("压榨样", "character", "pressure"), ("胸口像石头压着一样疼", "character", "pressure"),
    ("像被勒住一样痛", "character", "pressure"), ("撕裂样", "character", "tearing"),
    ("针刺样", "character", "stabbing"), ("像针扎一样", "character", "stabbing"),
    ("烧灼样", "character", "burning"), ("隐痛", "character", "dull"),
    ("左侧胸痛", "location", "left_chest"), ("胸口左边疼", "location", "left_chest"),
    ("右前胸痛", "location", "right_chest"), ("胸骨后疼痛", "location", "retrosternal"),
    ("心前区疼痛", "location", "precordial"), ("后背痛", "location", "back"),
    ("剑突下疼痛", "location", "epigastric"),
    ("活动后加重", "aggravating", "exertion"), ("爬楼时发作", "aggravating", "exertion"),
    ("走路的时候疼", "aggravating", "exertion"), ("深吸气时加重", "aggravating", "inspiration"),
    ("吸气的时候更疼", "aggravating", "inspiration"), ("局部压痛", "aggravating", "palpation"),
    ("按着疼", "aggravating", "palpation"), ("按压胸壁可诱发", "aggravating", "palpation"),
    ("转身时加重", "aggravating", "position"), ("平卧加重", "aggravating", "position"),
    ("饱餐后明显", "aggravating", "meal"),
    ("休息后缓解", "relieving", "rest"), ("休息3-5分钟可缓解", "relieving", "rest"),
    ("含服硝酸甘油后缓解", "relieving", "nitroglycerin"),
    ("前倾坐位可减轻", "relieving", "sitting_forward"),
    ("服用奥美拉唑后好转", "relieving", "antacid"), ("吃了胃药好一点", "relieving", "antacid"),
]


@pytest.mark.parametrize(("text", "field", "value"), LIST_VALUES)
def test_pain_features(text: str, field: str, value: str) -> None:
    findings = extract(text)
    assert value in getattr(findings, field)
    spans_cover(text, findings.to_dict()["evidence"])


@pytest.mark.parametrize("text", [
    "休息后不缓解", "休息后无缓解", "含服硝酸甘油无效", "休息后缓解不明显",
])
def test_relief_that_did_not_happen(text: str) -> None:
    assert extract(text).relieving == []


@pytest.mark.parametrize(("text", "factor"), [
    ("与活动无关", "exertion"), ("与体位及呼吸无关", "position"), ("无压痛", "palpation"),
])
def test_denied_factors_are_not_reported_but_remembered(text: str, factor: str) -> None:
    findings = extract(text)
    assert factor not in findings.aggravating
    assert f"aggravating:{factor}" in findings.denied


HISTORY = [
    ("高血压", "hypertension"), ("血压高", "hypertension"), ("2型糖尿病", "diabetes"),
    ("高脂血症", "hypercholesterolemia"), ("高血脂", "hypercholesterolemia"),
    ("抽烟", "smoking"), ("吸烟30年", "smoking"), ("冠心病家族史", "family_history_cad"),
    ("父亲55岁时心梗", "family_history_cad"), ("肥胖", "obesity"), ("冠心病", "cad"),
    ("陈旧性心梗", "prior_mi"), ("PCI术后", "prior_pci_cabg"), ("放过支架", "prior_pci_cabg"),
    ("冠脉搭桥术后", "prior_pci_cabg"), ("脑梗死", "stroke_tia"), ("间歇性跛行", "pad"),
    ("深静脉血栓", "prior_vte"), ("乳腺癌", "malignancy"), ("马凡综合征", "marfan_or_ctd"),
    ("腹主动脉瘤", "aortic_aneurysm"), ("慢阻肺", "copd"), ("术后第5天", "recent_surgery"),
    ("近2周膝关节置换术后", "recent_surgery"), ("长期卧床", "immobilization"),
    ("长途飞行", "immobilization"), ("口服避孕药", "hormone_use"),
]


@pytest.mark.parametrize(("text", "item"), HISTORY)
def test_history_synonyms(text: str, item: str) -> None:
    assert item in extract(text).history


@pytest.mark.parametrize(("text", "wrong"), [
    ("考虑急性心梗", "prior_mi"), ("急性肺栓塞待排", "prior_vte"), ("initial", "stroke_tia"),
    ("肿瘤标志物正常", "malignancy"), ("嘱卧床休息", "immobilization"),
    ("冠脉搭桥术后", "recent_surgery"), ("胆囊切除术后10年", "recent_surgery"),
    ("父亲有高血压", "hypertension"), ("冠心病家族史", "cad"), ("良性肿瘤", "malignancy"),
])
def test_history_words_that_are_not_the_patients(text: str, wrong: str) -> None:
    assert wrong not in extract(text).history


def test_quitting_smoking_leaves_smoking_unknown() -> None:
    findings = extract("吸烟20年，已戒烟5年")
    assert "smoking" not in findings.history
    assert "smoking" not in findings.history_denied


def test_previously_healthy_denies_diseases_but_not_habits() -> None:
    findings = extract("既往体健")
    assert findings.previously_healthy
    assert {"hypertension", "diabetes", "prior_mi"} <= set(findings.history_denied)
    assert "smoking" not in findings.history_denied
    assert "family_history_cad" not in findings.history_denied


def test_family_event_records_relative_and_age() -> None:
    findings = extract("母亲60岁患冠心病")
    assert findings.family[0].sex == "female"
    assert findings.family[0].first_degree is True
    assert findings.family[0].age == 60
    assert findings.age is None  # the mother's age is not the patient's


# --- Negation and its scope --------------------------------------------------------------

NEGATIONS = [
    ("无发热", [], ["fever"]),
    ("吸烟史：无", [], []),
    ("发热：无", [], ["fever"]),
    ("否认胸痛胸闷", [], ["chest_pain", "chest_tightness"]),
    ("未见咯血", [], ["hemoptysis"]),
    ("不伴发热及咳嗽", [], ["fever", "cough"]),
    ("没有 发烧", [], ["fever"]),
    ("无恶心、呕吐、出汗", [], ["nausea", "vomiting", "diaphoresis"]),
    ("无发热和咳嗽", [], ["fever", "cough"]),
    ("无明显胸痛", [], ["chest_pain"]),
    ("发热(-)", [], ["fever"]),
    ("不 出汗 不 喘", [], ["diaphoresis", "dyspnea"]),
    ("也 不 闷", [], ["chest_tightness"]),
    ("可平卧", [], ["orthopnea"]),
    ("无呕吐、腹泻、发热", [], ["vomiting", "fever"]),   # an unknown word inside the list
    ("否认高血压、甲亢、糖尿病", [], []),
    # The scope ends at a clause end, at 但 or 伴, at 有, and at any word that is not a finding.
    ("无发热，咳嗽", ["cough"], ["fever"]),
    ("无发热但咳嗽", ["cough"], ["fever"]),
    ("无发热伴咳嗽", ["cough"], ["fever"]),
    ("没有 发烧 有 咳嗽", ["cough"], ["fever"]),
    ("无明显诱因出现胸痛", ["chest_pain"], []),
    ("否认胸痛，诉心慌", ["palpitations"], ["chest_pain"]),
    ("不能平卧", ["orthopnea"], []),
    ("不典型胸痛", ["chest_pain"], []),
]


@pytest.mark.parametrize(("text", "present", "absent"), NEGATIONS)
def test_negation_scope(text: str, present: list[str], absent: list[str]) -> None:
    findings = extract(text)
    assert (findings.present, findings.absent) == (present, absent)


def test_questions_neither_affirm_nor_deny() -> None:
    findings = extract("需询问有无胸痛、咯血")
    assert findings.present == [] and findings.absent == []


def test_structured_record_denials() -> None:
    findings = extract("吸烟史：无。高血压：无，糖尿病：有")
    assert findings.history_denied == ["smoking", "hypertension"]
    assert findings.history == ["diabetes"]


def test_denied_history_is_kept_apart_from_history() -> None:
    findings = extract("否认高血压、糖尿病病史，有高脂血症")
    assert findings.history == ["hypercholesterolemia"]
    assert findings.history_denied == ["hypertension", "diabetes"]


def test_a_present_mention_outranks_a_denial() -> None:
    findings = extract("无明显胸痛。今晨胸痛加重")
    assert findings.present == ["chest_pain"] and findings.absent == []


# --- Radiation -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "targets"), [
    ("向左上肢放射", ["left_arm"]), ("放射至后背", ["back"]), ("往 下巴 放射", ["jaw"]),
    ("向颈部及左肩放射", ["neck", "shoulder"]), ("放射 至 背部 和 腹部", ["back", "abdomen"]),
    ("向左肩背部放射", ["shoulder", "back"]), ("左肩放射痛", ["shoulder"]),
    ("疼到左胳膊", ["left_arm"]), ("牵扯到左手臂", ["left_arm"]),
    ("向双上肢放射", ["left_arm", "right_arm"]),
])
def test_radiation_targets(text: str, targets: list[str]) -> None:
    assert sorted(extract(text).radiation) == sorted(targets)


@pytest.mark.parametrize("text", ["无放射", "不向他处放射", "胸痛不伴放射", "无明显放射痛"])
def test_denied_radiation(text: str) -> None:
    findings = extract(text)
    assert findings.radiation == []
    assert "radiation" in findings.denied


def test_a_pain_elsewhere_is_not_radiation() -> None:
    assert extract("胸痛伴左上肢麻木").radiation == []


def test_radiation_target_is_not_a_location() -> None:
    findings = extract("胸痛，放射至后背")
    assert findings.location == [] and findings.radiation == ["back"]


# --- Numerals ------------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "value"), [
    ("三", 3), ("十", 10), ("十五", 15), ("二十", 20), ("四十", 40), ("六十四", 64),
    ("两", 2), ("一百二", 120), ("一百零五", 105), ("一百一十二", 112), ("三十七点二", 37.2),
    ("120", 120), ("37.2", 37.2),
])
def test_numbers(token: str, value: float) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize("token", ["", "几", "数", "三四十", "十百", "点"])
def test_vague_or_malformed_numbers(token: str) -> None:
    assert parse_number(token) is None


# --- Durations -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minutes"), [
    ("胸痛3小时", 180), ("胸痛两个小时", 120), ("胸痛 两 个 小时", 120), ("胸痛三小时", 180),
    ("胸痛半天", 720), ("胸痛1天", 1440), ("胸痛1周", 10080), ("胸痛1月", 43200),
    ("胸痛半小时", 30), ("胸痛半个小时", 30), ("胸痛40分钟", 40), ("胸痛四十分钟", 40),
    ("胸痛2周", 20160), ("胸痛一个半小时", 90), ("胸痛1.5小时", 90), ("胸痛3小时余", 180),
    ("胸痛十余天", 14400), ("胸痛1小时20分钟", 80), ("胸痛45min", 45), ("胸痛2h", 120),
    ("胸痛半年", 262800), ("胸痛两天半", 3600), ("胸痛2-3小时", 120), ("1小时前突发胸痛", 60),
    ("胸闷 一 个 多 小时", 60), ("胸痛半日", 720),
])
def test_durations(text: str, minutes: int) -> None:
    findings = extract(text)
    assert findings.duration_minutes == minutes
    start, end = findings.evidence["duration_minutes"][0]
    assert text[start:end].strip()


@pytest.mark.parametrize(("text", "minutes"), [
    ("高血压病史15年，胸痛2小时", 120),      # the history's years are not the complaint's
    ("口服避孕药2年，突发胸痛6小时", 360),
    ("吸烟20年，胸闷3天", 4320),
    ("活动后胸闷3天，加重半日", 4320),       # since the complaint began
    ("术后3天，胸痛1小时", 60),
    ("每次持续5分钟，胸痛2天", 2880),
])
def test_duration_belongs_to_the_complaint(text: str, minutes: int) -> None:
    assert extract(text).duration_minutes == minutes


@pytest.mark.parametrize("text", ["胸痛数小时", "2023年胸痛", "3月5日胸痛", "每次数分钟"])
def test_no_duration_when_none_is_given(text: str) -> None:
    assert extract(text).duration_minutes is None


@pytest.mark.parametrize(("text", "minutes"), [
    ("今晨6点起出现胸闷", 480), ("于12:30突发胸痛", 90), ("今天上午10时左右开始胸痛", 240),
    ("昨晚8点开始胸痛", 1080),
])
def test_clock_time_of_onset_against_now(text: str, minutes: int) -> None:
    assert extract(text, now=datetime(2024, 5, 1, 14, 0)).duration_minutes == minutes
    assert extract(text).duration_minutes is None  # without a clock, no guess


# --- Vitals, age and sex -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "vitals"), [
    ("BP 160/95mmHg", {"sbp": 160, "dbp": 95}), ("血压160/95", {"sbp": 160, "dbp": 95}),
    ("BP：138/82", {"sbp": 138, "dbp": 82}), ("心率112次/分", {"hr": 112}),
    ("HR 108次/分", {"hr": 108}), ("P 88", {"hr": 88}), ("脉搏 76次/分", {"hr": 76}),
    ("SpO2 96%", {"spo2": 96}), ("SpO₂ 88%", {"spo2": 88}), ("血氧94%", {"spo2": 94}),
    ("指脉氧 90%", {"spo2": 90}), ("呼吸24次/分", {"rr": 24}), ("R 20", {"rr": 20}),
    ("T 37.2℃", {"temp": 37.2}), ("体温38度", {"temp": 38}), ("体温 三十八 度 五", {"temp": 38.5}),
    ("发烧 三十八 度 五", {"temp": 38.5}), ("心率 一百一十", {"hr": 110}),
    ("血压 一百六十 九十五", {"sbp": 160, "dbp": 95}),
    ("左臂190/110 右臂160/95", {"sbp_left": 190, "dbp_left": 110, "sbp_right": 160,
                                "dbp_right": 95}),
    ("血压左臂190/110mmHg、右臂160/95mmHg", {"sbp_left": 190, "dbp_left": 110,
                                             "sbp_right": 160, "dbp_right": 95, "sbp": None}),
    ("T36.5℃ P98次/分 R18次/分 BP150/90mmHg", {"temp": 36.5, "hr": 98, "rr": 18, "sbp": 150,
                                              "dbp": 90}),
])
def test_vitals(text: str, vitals: dict[str, float | None]) -> None:
    findings = extract(text)
    for key, value in vitals.items():
        assert findings.vitals[key] == value, key
    spans_cover(text, findings.to_dict()["evidence"])


@pytest.mark.parametrize("text", ["心率400次/分", "SpO2 120%", "体温60度", "BP 20/10"])
def test_implausible_vitals_are_not_read(text: str) -> None:
    assert all(value is None for value in extract(text).vitals.values())


@pytest.mark.parametrize(("text", "age", "sex"), [
    ("男，64岁", 64, "male"), ("女 59岁", 59, "female"), ("患者男性，72岁", 72, "male"),
    ("男的 五十 岁", 50, "male"), ("女 33 岁", 33, "female"), ("六十四岁女性", 64, "female"),
    ("病人 七十 多 岁 女 的", 70, "female"), ("王先生，45岁", 45, "male"),
    ("其女儿代诉", None, None), ("父亲55岁时心梗", None, None),
])
def test_age_and_sex(text: str, age: int | None, sex: str | None) -> None:
    findings = extract(text)
    assert (findings.age, findings.sex) == (age, sex)


# --- Text forms and spans ------------------------------------------------------------------

def test_full_width_and_spaced_text_give_the_same_findings() -> None:
    typed = extract("胸痛３小时，ＢＰ １６０／９５ｍｍＨｇ")
    spoken = extract("胸 痛 3 小 时 BP 160/95mmHg")
    assert typed.present == spoken.present == ["chest_pain"]
    assert typed.duration_minutes == spoken.duration_minutes == 180
    assert typed.vitals["sbp"] == spoken.vitals["sbp"] == 160


def test_spans_index_the_text_as_given() -> None:
    text = "  男，  62岁\t持续 左胸痛 3 小时，压榨样，向 左上肢 放射"
    findings = extract(text).to_dict()
    evidence = findings["evidence"]
    assert text[slice(*evidence["present:chest_pain"][0])].replace(" ", "") in ("胸痛", "左胸痛")
    assert text[slice(*evidence["duration_minutes"][0])].replace(" ", "") == "3小时"
    assert text[slice(*evidence["age"][0])] == "62岁"
    assert "左上肢" in text[slice(*evidence["radiation:left_arm"][0])]
    spans_cover(text, evidence)


def test_normalised_view_maps_back_to_the_original() -> None:
    view = normalise("两 个\u200b 小时")
    assert view.text == "两个小时"
    assert view.span(0, 4) == (0, 7)


def test_every_reported_value_has_evidence() -> None:
    text = "男，64岁，胸骨后压榨样疼痛2小时，向左上肢放射，伴出汗、恶心，无呕吐，既往糖尿病。P 88"
    data = extract(text).to_dict()
    keys = set(data["evidence"])
    for field in ("present", "absent", "character", "location", "radiation", "history"):
        for value in data[field]:
            assert f"{field}:{value}" in keys
    assert {"duration_minutes", "age", "sex", "vitals:hr"} <= keys
