"""Wells score for pulmonary embolism, with its three-level and two-level readings.

Source: Wells PS, Anderson DR, Rodger M, et al. Derivation of a simple clinical model to
categorize patients probability of pulmonary embolism: increasing the models utility with the
SimpliRED D-dimer. Thromb Haemost 2000;83(3):416-420.

Clinical signs of DVT 3; PE the most likely diagnosis 3; heart rate > 100/min 1.5;
immobilisation >= 3 days or surgery in the previous 4 weeks 1.5; previous DVT/PE 1.5;
haemoptysis 1; malignancy (treated within 6 months or palliative) 1.
Three levels: low < 2, moderate 2-6, high > 6. Two levels (`two_tier`): unlikely <= 4,
likely > 4; null while the missing inputs leave both open.
"""

from __future__ import annotations

from typing import Any

from engine.scores.base import Known, Score, Span, yes_no
from engine.scores.inputs import Flag, Number
from engine.scores.model import Item

LIKELY_ABOVE = 4

INPUTS = (
    Flag("dvt_signs", "有无深静脉血栓的临床表现（下肢肿胀、深静脉走行区压痛）？"),
    Flag("pe_most_likely", "肺栓塞是否为最可能的诊断（其他诊断可能性更小）？"),
    Number("heart_rate", "心率（次/分）？", lowest=0, highest=350, unit="beats/min",
           sample_values=(80, 101)),
    Flag("immobilization_or_surgery", "近期是否制动 ≥3 天或 4 周内做过手术？"),
    Flag("prior_vte", "既往有无深静脉血栓或肺栓塞史？"),
    Flag("hemoptysis", "有无咯血？"),
    Flag("malignancy", "有无恶性肿瘤（6 个月内治疗或姑息治疗中）？"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    items += yes_no(known, "dvt_signs", 3, "有 DVT 临床表现：3 分", "无 DVT 表现：0 分")
    items += yes_no(known, "pe_most_likely", 3, "肺栓塞为最可能诊断：3 分", "其他诊断更可能：0 分")
    if "heart_rate" in known:
        rate = known["heart_rate"]
        fast = rate > 100
        items.append(Item("heart_rate", 1.5 if fast else 0,
                          f"心率 {rate} 次/分{'（>100）：1.5 分' if fast else '：0 分'}"))
    items += yes_no(known, "immobilization_or_surgery", 1.5, "制动 ≥3 天或 4 周内手术：1.5 分",
                    "无制动或近期手术：0 分")
    items += yes_no(known, "prior_vte", 1.5, "既往 DVT/PE：1.5 分", "无 DVT/PE 史：0 分")
    items += yes_no(known, "hemoptysis", 1, "咯血：1 分", "无咯血：0 分")
    items += yes_no(known, "malignancy", 1, "恶性肿瘤：1 分", "无恶性肿瘤：0 分")
    return items


def _band(total: float) -> str:
    if total < 2:
        return "low"
    if total <= 6:
        return "moderate"
    return "high"


def _two_tier(total: float) -> str:
    return "likely" if total > LIKELY_ABOVE else "unlikely"


def _extras(known: Known, span: Span) -> dict[str, Any]:
    low, high = _two_tier(span.lowest), _two_tier(span.highest)
    return {"two_tier": low if low == high else None}


SCORE = Score(
    name="wells_pe",
    title="Wells 肺栓塞评分",
    version="2000.1",
    citation="Wells PS, Anderson DR, Rodger M, et al. Derivation of a simple clinical model to "
             "categorize patients probability of pulmonary embolism: increasing the models "
             "utility with the SimpliRED D-dimer. Thromb Haemost 2000;83(3):416-420.",
    inputs=INPUTS,
    points=_points,
    band=_band,
    extras=_extras,
    extra_keys=("two_tier",),
)
