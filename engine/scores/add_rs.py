"""ADD-RS, the aortic dissection detection risk score, with the ADvISED D-dimer rule-out.

Sources: Rogers AM, Hermann LK, Booher AM, et al. Sensitivity of the aortic dissection
detection risk score, a novel guideline-based tool for identification of acute aortic dissection
at initial presentation: results from the International Registry of Acute Aortic Dissection.
Circulation 2011;123(20):2213-2218. Nazerian P, Mueller C, Soeiro AM, et al. Diagnostic accuracy
of the aortic dissection detection risk score plus D-dimer for acute aortic syndromes: the
ADvISED prospective multicenter study. Circulation 2018;137(3):250-258.

Three categories, one point each when any of its features is present:
- high-risk conditions: Marfan syndrome or other connective tissue disease, family history of
  aortic disease, known aortic valve disease, recent aortic manipulation, known thoracic aortic
  aneurysm;
- high-risk pain: abrupt onset, severe intensity, ripping or tearing;
- high-risk examination: pulse deficit, systolic pressure differing > 20 mmHg between arms,
  focal neurological deficit (with pain), new aortic regurgitation murmur (with pain),
  hypotension or shock.
Bands: 0 low, 1 intermediate, >= 2 high.

ADvISED: with ADD-RS <= 1 and D-dimer < 500 ng/mL (FEU) acute aortic syndrome is ruled out.
Given `d_dimer_ng_ml_feu`, the result carries `advised`: {"d_dimer_ng_ml_feu", "result":
"rule_out" | "not_ruled_out" | null, "basis"}; without it `advised` is null.
"""

from __future__ import annotations

from typing import Any

from engine.scores.base import Known, Score, Span
from engine.scores.inputs import Number, Subset
from engine.scores.model import Item

CONDITIONS = ("marfan_or_ctd", "family_history_aortic", "aortic_valve_disease",
              "recent_aortic_manipulation", "thoracic_aortic_aneurysm")
PAIN = ("abrupt_onset", "severe_intensity", "ripping_tearing")
EXAM = ("pulse_deficit", "sbp_differential", "focal_neuro_deficit",
        "aortic_regurgitation_murmur", "hypotension_shock")
D_DIMER_BELOW = 500  # ng/mL FEU
ADVISED_MAX_SCORE = 1

_CATEGORY_LABELS = {"conditions": "高危病史", "pain": "高危疼痛特征", "exam": "高危体征"}

INPUTS = (
    Subset("conditions", "有无高危病史：马方综合征/结缔组织病、主动脉疾病家族史、主动脉瓣疾病、"
           "近期主动脉操作、已知胸主动脉瘤？", options=CONDITIONS),
    Subset("pain", "疼痛是否突然发生、程度剧烈、呈撕裂样？", options=PAIN),
    Subset("exam", "查体有无：脉搏短绌/无脉、双上肢收缩压差 >20 mmHg、局灶神经功能缺损、"
           "新发主动脉瓣反流杂音、低血压或休克？", options=EXAM),
)

EXTRA_INPUTS = (
    Number("d_dimer_ng_ml_feu", "D-二聚体（ng/mL FEU）？", lowest=0, highest=1_000_000,
           unit="ng/mL FEU"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    for name, label in _CATEGORY_LABELS.items():
        if name in known:
            present = sorted(known[name])
            if present:
                items.append(Item(name, 1, f"{label}（{'、'.join(present)}）：1 分"))
            else:
                items.append(Item(name, 0, f"无{label}：0 分"))
    return items


def _band(total: float) -> str:
    if total == 0:
        return "low"
    if total == 1:
        return "intermediate"
    return "high"


def _extras(known: Known, span: Span) -> dict[str, Any]:
    if "d_dimer_ng_ml_feu" not in known:
        return {"advised": None}

    d_dimer = known["d_dimer_ng_ml_feu"]
    if span.lowest > ADVISED_MAX_SCORE or d_dimer >= D_DIMER_BELOW:
        result: str | None = "not_ruled_out"
    elif span.highest <= ADVISED_MAX_SCORE:
        result = "rule_out"
    else:
        result = None  # D-dimer low, but the missing categories could still make ADD-RS >= 2
    return {"advised": {
        "d_dimer_ng_ml_feu": d_dimer,
        "result": result,
        "basis": "ADD-RS ≤1 且 D-二聚体 <500 ng/mL FEU 可排除急性主动脉综合征（ADvISED）",
    }}


SCORE = Score(
    name="add_rs",
    title="ADD-RS 主动脉夹层风险评分（附 ADvISED）",
    version="2011.1",
    citation="Rogers AM, Hermann LK, Booher AM, et al. Sensitivity of the aortic dissection "
             "detection risk score, a novel guideline-based tool for identification of acute "
             "aortic dissection at initial presentation: results from the International Registry "
             "of Acute Aortic Dissection. Circulation 2011;123(20):2213-2218. Nazerian P, "
             "Mueller C, Soeiro AM, et al. Diagnostic accuracy of the aortic dissection detection "
             "risk score plus D-dimer for acute aortic syndromes: the ADvISED prospective "
             "multicenter study. Circulation 2018;137(3):250-258.",
    inputs=INPUTS,
    points=_points,
    band=_band,
    extra_inputs=EXTRA_INPUTS,
    extras=_extras,
    extra_keys=("advised",),
)
