"""EDACS, the Emergency Department Assessment of Chest pain Score, and its 2 h ADP.

Source: Than M, Flaws D, Sanders S, et al. Development and validation of the Emergency
Department Assessment of Chest pain Score and 2 h accelerated diagnostic protocol.
Emerg Med Australas 2014;26(1):34-44.

Points: age 18-45 +2, 46-50 +4, 51-55 +6, 56-60 +8, 61-65 +10, 66-70 +12, 71-75 +14,
76-80 +16, 81-85 +18, >= 86 +20; male +6; aged 18-50 with known coronary artery disease or
>= 3 risk factors +4; diaphoresis +3; pain radiating to arm, shoulder, neck or jaw +5; pain
occurring or worse on inspiration -4; pain reproduced by palpation -6. Low risk if < 16.

The EDACS-ADP calls a patient low risk only when EDACS < 16, the ECG shows no new ischaemia and
the 0 h and 2 h troponins are both negative. When `new_ischemia` or `troponin_0h_2h_negative`
is given the result carries `edacs_adp`: {"low_risk": true|false|null, "missing": [...],
"basis"}; otherwise `edacs_adp` is null. The score applies to adults, so age starts at 18.
"""

from __future__ import annotations

from typing import Any

from engine.scores.base import Known, Score, Span, yes_no
from engine.scores.inputs import Choice, Flag, Number, completed_years
from engine.scores.model import Item

# (first year of the bracket, points), oldest bracket open-ended.
_AGE_BRACKETS = ((86, 20), (81, 18), (76, 16), (71, 14), (66, 12), (61, 10), (56, 8), (51, 6),
                 (46, 4), (18, 2))
LOW_RISK_BELOW = 16

INPUTS = (
    Number("age", "患者年龄（岁）？", lowest=18, highest=130, unit="years",
           sample_values=tuple(first for first, _ in _AGE_BRACKETS)),
    Choice("sex", "患者性别？", options=("male", "female")),
    Flag("known_cad", "既往是否确诊冠心病（ACS、PCI 或 CABG 史）？"),
    Number("risk_factor_count", "冠心病危险因素有几项（高血压、血脂异常、糖尿病、目前吸烟、"
           "早发冠心病家族史）？", lowest=0, highest=5, whole=True, sample_values=(0, 3)),
    Flag("diaphoresis", "胸痛时是否伴大汗？"),
    Flag("radiation", "疼痛是否放射至上臂、肩、颈或下颌？"),
    Flag("pain_on_inspiration", "疼痛是否在吸气时出现或加重？"),
    Flag("reproducible_by_palpation", "按压胸壁能否复制出疼痛？"),
)

EXTRA_INPUTS = (
    Flag("new_ischemia", "心电图有无新发缺血改变？"),
    Flag("troponin_0h_2h_negative", "0 h 与 2 h 肌钙蛋白是否均为阴性？"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "age" in known:
        items.append(_age_item(known["age"]))
    if "sex" in known:
        male = known["sex"] == "male"
        items.append(Item("sex", 6 if male else 0, "男性：+6" if male else "女性：0"))
    items += _coronary_items(known)
    items += yes_no(known, "diaphoresis", 3, "伴大汗：+3", "无大汗：0")
    items += yes_no(known, "radiation", 5, "放射至上臂/肩/颈/下颌：+5", "无放射：0")
    items += yes_no(known, "pain_on_inspiration", -4, "吸气时出现或加重：-4", "与呼吸无关：0")
    items += yes_no(known, "reproducible_by_palpation", -6, "按压可复制疼痛：-6",
                    "按压不能复制：0")
    return items


def _age_item(age: float) -> Item:
    years = completed_years(age)
    for first, points in _AGE_BRACKETS:
        if years >= first:
            return Item("age", points, f"年龄 {years} 岁：+{points}")
    raise AssertionError("age below 18 passed validation")


def _coronary_items(known: Known) -> list[Item]:
    # +4 once, for adults up to 50 with known CAD or >= 3 risk factors.
    cad, count = known.get("known_cad"), known.get("risk_factor_count")
    if "age" not in known:
        reason = "取决于年龄：仅 18-50 岁计 +4"
        return [Item(name, 0, reason) for name in ("known_cad", "risk_factor_count")
                if name in known]
    if completed_years(known["age"]) > 50:
        reason = "年龄 >50 岁，此项不计分"
        return [Item(name, 0, reason) for name in ("known_cad", "risk_factor_count")
                if name in known]

    items: list[Item] = []
    if cad is True:
        items.append(Item("known_cad", 4, "18-50 岁且已知冠心病：+4"))
    elif cad is False:
        items.append(Item("known_cad", 0, "无已知冠心病"))
    if count is not None:
        earns = cad is not True and count >= 3
        basis = ("18-50 岁且危险因素 ≥3 项：+4" if earns else
                 "已按已知冠心病计 +4" if cad is True and count >= 3 else
                 f"危险因素 {count} 项：0")
        items.append(Item("risk_factor_count", 4 if earns else 0, basis))
    return items


def _band(total: float) -> str:
    return "low" if total < LOW_RISK_BELOW else "not_low"


def _extras(known: Known, span: Span) -> dict[str, Any]:
    if not any(spec.name in known for spec in EXTRA_INPUTS):
        return {"edacs_adp": None}

    edacs_low = (True if span.highest < LOW_RISK_BELOW else
                 False if span.lowest >= LOW_RISK_BELOW else None)
    ecg_clear = None if "new_ischemia" not in known else not known["new_ischemia"]
    troponin_clear = known.get("troponin_0h_2h_negative")
    criteria = {"edacs": edacs_low, "new_ischemia": ecg_clear,
                "troponin_0h_2h_negative": troponin_clear}

    if False in criteria.values():
        low_risk: bool | None = False
    elif None in criteria.values():
        low_risk = None
    else:
        low_risk = True
    return {"edacs_adp": {
        "low_risk": low_risk,
        "missing": [name for name, met in criteria.items() if met is None],
        "basis": "EDACS <16、心电图无新发缺血、0 h 与 2 h 肌钙蛋白均阴性，三项同时满足为低危",
    }}


SCORE = Score(
    name="edacs",
    title="EDACS 胸痛评分（附 2 h ADP）",
    version="2014.1",
    citation="Than M, Flaws D, Sanders S, et al. Development and validation of the Emergency "
             "Department Assessment of Chest pain Score and 2 h accelerated diagnostic protocol. "
             "Emerg Med Australas 2014;26(1):34-44.",
    inputs=INPUTS,
    points=_points,
    band=_band,
    extra_inputs=EXTRA_INPUTS,
    extras=_extras,
    extra_keys=("edacs_adp",),
)
