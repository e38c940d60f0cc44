"""Modified Wells score for deep-vein thrombosis.

Source: Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in the diagnosis of
suspected deep-vein thrombosis. N Engl J Med 2003;349(13):1227-1235.

One point each: active cancer; paralysis, paresis or recent plaster immobilisation of the leg;
recently bedridden >= 3 days or major surgery within 12 weeks; localised tenderness along the
deep veins; entire leg swollen; calf swelling >= 3 cm over the other side; pitting oedema
confined to the symptomatic leg; collateral superficial (non-varicose) veins; previously
documented DVT. Minus 2 when an alternative diagnosis is at least as likely.
Bands: likely >= 2, unlikely < 2.
"""

from __future__ import annotations

from engine.scores.base import Known, Score, yes_no
from engine.scores.inputs import Flag
from engine.scores.model import Item

# (input, points, label when present, question)
_CRITERIA = (
    ("active_cancer", 1, "活动性肿瘤", "有无活动性肿瘤（6 个月内治疗或姑息治疗中）？"),
    ("bedridden_or_surgery", 1, "卧床 ≥3 天或 12 周内大手术",
     "近期是否卧床 ≥3 天，或 12 周内做过需全麻/区域麻醉的大手术？"),
    ("calf_swelling_3cm", 1, "小腿周径较对侧大 ≥3 cm",
     "患侧小腿周径（胫骨粗隆下 10 cm）较对侧大 ≥3 cm 吗？"),
    ("collateral_veins", 1, "浅静脉侧支（非曲张）", "有无非曲张性浅静脉侧支显露？"),
    ("entire_leg_swollen", 1, "整条腿肿胀", "是否整条腿肿胀？"),
    ("localized_tenderness", 1, "深静脉走行区压痛", "沿深静脉走行有无局部压痛？"),
    ("pitting_edema", 1, "患肢凹陷性水肿", "是否仅患肢有凹陷性水肿？"),
    ("paralysis_or_cast", 1, "下肢瘫痪/轻瘫或近期石膏固定", "下肢有无瘫痪、轻瘫或近期石膏固定？"),
    ("prior_dvt", 1, "既往确诊 DVT", "既往是否确诊过深静脉血栓？"),
    ("alternative_diagnosis_likely", -2, "其他诊断可能性不低于 DVT",
     "是否有可能性不低于 DVT 的其他诊断（如蜂窝织炎、Baker 囊肿破裂）？"),
)

INPUTS = tuple(Flag(name, question) for name, _, _, question in _CRITERIA)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    for name, points, label, _ in _CRITERIA:
        items += yes_no(known, name, points, f"{label}：{points:+d} 分", f"无{label}：0 分")
    return items


def _band(total: float) -> str:
    return "likely" if total >= 2 else "unlikely"


SCORE = Score(
    name="wells_dvt",
    title="改良 Wells 深静脉血栓评分",
    version="2003.1",
    citation="Wells PS, Anderson DR, Rodger M, et al. Evaluation of D-dimer in the diagnosis of "
             "suspected deep-vein thrombosis. N Engl J Med 2003;349(13):1227-1235.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
