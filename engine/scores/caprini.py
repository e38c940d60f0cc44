"""Caprini risk assessment model (2005) for venous thromboembolism.

Source: Caprini JA. Thrombosis risk assessment as a guide to quality patient care. Dis Mon
2005;51(2-3):70-78. Bands as in the Chinese guideline: 中华医学会外科学分会. 中国普通外科围手术期
血栓预防与管理指南. 中华外科杂志 2016;54(5):321-327 (0 very low, 1-2 low, 3-4 moderate, >= 5 high).

Age 41-60 scores 1, 61-74 scores 2, >= 75 scores 3. Every other item of the 2005 form is a
factor id below with its points (1, 2, 3 or 5); the total is their sum.
"""

from __future__ import annotations

from engine.scores.base import Known, Score
from engine.scores.inputs import Number, Subset, completed_years
from engine.scores.model import Item

FACTOR_POINTS = {
    # 1 point
    "minor_surgery": 1,
    "major_surgery_history_1m": 1,
    "varicose_veins": 1,
    "ibd": 1,
    "swollen_legs": 1,
    "bmi_over_25": 1,
    "acute_mi": 1,
    "chf_1m": 1,
    "sepsis_1m": 1,
    "lung_disease_1m": 1,
    "copd": 1,
    "bed_rest_medical": 1,
    "oc_or_hrt": 1,
    "pregnancy_postpartum": 1,
    "pregnancy_loss_history": 1,
    # 2 points
    "arthroscopic_surgery": 2,
    "malignancy": 2,
    "major_surgery_45min": 2,
    "laparoscopic_45min": 2,
    "bed_confined_72h": 2,
    "plaster_cast": 2,
    "central_venous_access": 2,
    # 3 points
    "history_vte": 3,
    "family_history_vte": 3,
    "factor_v_leiden": 3,
    "prothrombin_20210a": 3,
    "lupus_anticoagulant": 3,
    "anticardiolipin": 3,
    "homocysteine": 3,
    "hit": 3,
    "other_thrombophilia": 3,
    # 5 points
    "arthroplasty": 5,
    "hip_pelvis_leg_fracture": 5,
    "stroke_1m": 5,
    "multiple_trauma": 5,
    "spinal_cord_injury": 5,
}

INPUTS = (
    Number("age", "患者年龄（岁）？", lowest=0, highest=130, unit="years",
           sample_values=(30, 50, 65, 80)),
    Subset("factors", "逐项核对 Caprini 危险因素：手术类型与时长、卧床/制动、石膏、中心静脉置管、"
           "肿瘤、VTE 个人史与家族史、易栓症、近 1 个月心衰/脓毒症/肺部疾病/卒中/骨折/多发伤、"
           "妊娠或产后、口服避孕药/激素替代、BMI>25、下肢水肿、静脉曲张？",
           options=tuple(FACTOR_POINTS)),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "age" in known:
        items.append(_age_item(known["age"]))
    if "factors" in known:
        present = sorted(known["factors"], key=list(FACTOR_POINTS).index)
        points = sum(FACTOR_POINTS[name] for name in present)
        listed = "、".join(f"{name} {FACTOR_POINTS[name]}" for name in present) or "无"
        items.append(Item("factors", points, f"危险因素（{listed}）：{points} 分"))
    return items


def _age_item(age: float) -> Item:
    years = completed_years(age)
    points = 3 if years >= 75 else 2 if years >= 61 else 1 if years >= 41 else 0
    return Item("age", points, f"年龄 {years} 岁：{points} 分")


def _band(total: float) -> str:
    if total == 0:
        return "very_low"
    if total <= 2:
        return "low"
    if total <= 4:
        return "moderate"
    return "high"


SCORE = Score(
    name="caprini",
    title="Caprini 血栓风险评估（2005）",
    version="2005.1",
    citation="Caprini JA. Thrombosis risk assessment as a guide to quality patient care. Dis Mon "
             "2005;51(2-3):70-78. Bands: 中华医学会外科学分会. "
             "中国普通外科围手术期血栓预防与管理指南. 中华外科杂志 2016;54(5):321-327.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
