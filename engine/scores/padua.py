"""Padua prediction score for venous thromboembolism in medical inpatients.

Source: Barbar S, Noventa F, Rossetto V, et al. A risk assessment model for the identification
of hospitalized medical patients at risk for venous thromboembolism: the Padua Prediction
Score. J Thromb Haemost 2010;8(11):2450-2457.

Active cancer 3; previous VTE 3; reduced mobility (bed rest >= 3 days) 3; known thrombophilic
condition 3; trauma or surgery within 1 month 2; age >= 70 1; heart and/or respiratory
failure 1; acute myocardial infarction or ischaemic stroke 1; acute infection and/or
rheumatological disorder 1; obesity (BMI >= 30) 1; ongoing hormonal treatment 1.
Bands: high >= 4, low < 4.
"""

from __future__ import annotations

from engine.scores.base import Known, Score
from engine.scores.inputs import Number, Subset, completed_years
from engine.scores.model import Item

FACTOR_POINTS = {
    "active_cancer": 3,
    "previous_vte": 3,
    "reduced_mobility": 3,
    "thrombophilia": 3,
    "recent_trauma_or_surgery": 2,
    "heart_or_respiratory_failure": 1,
    "acute_mi_or_stroke": 1,
    "acute_infection_or_rheumatologic": 1,
    "obesity": 1,
    "hormonal_treatment": 1,
}

INPUTS = (
    Number("age", "患者年龄（岁）？", lowest=0, highest=130, unit="years",
           sample_values=(50, 80)),
    Subset("factors", "有无：活动性肿瘤、既往 VTE、活动减少（卧床 ≥3 天）、易栓症、"
           "1 个月内创伤或手术、心/呼吸衰竭、急性心梗或缺血性卒中、急性感染或风湿病、"
           "肥胖（BMI≥30）、正在激素治疗？",
           options=tuple(FACTOR_POINTS)),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "age" in known:
        years = completed_years(known["age"])
        old = years >= 70
        items.append(Item("age", 1 if old else 0,
                          f"年龄 {years} 岁{'（≥70 岁）：1 分' if old else '：0 分'}"))
    if "factors" in known:
        present = sorted(known["factors"], key=list(FACTOR_POINTS).index)
        points = sum(FACTOR_POINTS[name] for name in present)
        listed = "、".join(f"{name} {FACTOR_POINTS[name]}" for name in present) or "无"
        items.append(Item("factors", points, f"危险因素（{listed}）：{points} 分"))
    return items


def _band(total: float) -> str:
    return "high" if total >= 4 else "low"


SCORE = Score(
    name="padua",
    title="Padua 内科住院患者 VTE 风险评分",
    version="2010.1",
    citation="Barbar S, Noventa F, Rossetto V, et al. A risk assessment model for the "
             "identification of hospitalized medical patients at risk for venous "
             "thromboembolism: the Padua Prediction Score. J Thromb Haemost 2010;8(11):"
             "2450-2457.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
