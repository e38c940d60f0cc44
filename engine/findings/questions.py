"""Questions for the doctor (补病史): what the scores still miss, and what the template's history
must cover, ranked by how much the answer would change the risk picture.

A missing input's weight in one score is how far knowing it would narrow the score's range
(averaged over the input's possible values, as a share of the score's whole span), plus one when
the score has no band yet and some answer would give it one. Inputs that mean the same thing in
several scores (age, risk factors, known coronary disease) are one question whose weight is the
sum. The template's history items follow, in the template's order, unless the findings already
answer them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from statistics import mean
from typing import Any

from engine import scores
from engine.findings.conditions import covered
from engine.findings.model import Findings
from engine.scores import ScoreResult, registry
from engine.scores.inputs import check_inputs
from prompts.templates import Template

# Inputs of different scores that one question answers.
QUESTION_IDS: dict[tuple[str, str], str] = {
    **{(name, "age"): "age" for name in ("heart", "edacs", "timi", "perc", "padua", "caprini")},
    ("edacs", "sex"): "sex",
    ("heart", "risk_factors"): "risk_factors",
    ("edacs", "risk_factor_count"): "risk_factors",
    ("timi", "risk_factor_count"): "risk_factors",
    ("heart", "atherosclerotic_disease"): "known_cad",
    ("edacs", "known_cad"): "known_cad",
    ("timi", "known_cad"): "known_cad",
    ("heart", "history"): "heart_history",
    ("heart", "ecg"): "ecg",
    ("timi", "st_deviation"): "ecg",
    ("edacs", "new_ischemia"): "ecg",
    ("heart", "troponin_ratio"): "troponin",
    ("timi", "positive_marker"): "troponin",
    ("edacs", "troponin_0h_2h_negative"): "troponin",
    ("edacs", "diaphoresis"): "diaphoresis",
    ("edacs", "radiation"): "radiation",
    ("edacs", "pain_on_inspiration"): "pain_on_inspiration",
    ("edacs", "reproducible_by_palpation"): "palpation",
    ("wells_pe", "heart_rate"): "heart_rate",
    ("perc", "heart_rate"): "heart_rate",
    ("perc", "spo2"): "spo2",
    ("wells_pe", "dvt_signs"): "leg_swelling",
    ("perc", "unilateral_leg_swelling"): "leg_swelling",
    ("wells_pe", "hemoptysis"): "hemoptysis",
    ("perc", "hemoptysis"): "hemoptysis",
    ("wells_pe", "prior_vte"): "prior_vte",
    ("perc", "prior_vte"): "prior_vte",
    ("wells_dvt", "prior_dvt"): "prior_vte",
    ("wells_pe", "immobilization_or_surgery"): "recent_surgery",
    ("perc", "recent_surgery_or_trauma"): "recent_surgery",
    ("wells_dvt", "bedridden_or_surgery"): "recent_surgery",
    ("wells_pe", "malignancy"): "malignancy",
    ("wells_dvt", "active_cancer"): "malignancy",
    ("perc", "hormone_use"): "hormone_use",
    ("add_rs", "conditions"): "aortic_conditions",
    ("add_rs", "pain"): "aortic_pain",
    ("add_rs", "exam"): "aortic_exam",
}

QUESTION_TEXTS = {
    "age": "患者年龄？",
    "sex": "患者性别？",
    "risk_factors": "冠心病危险因素：高血压、糖尿病、血脂异常、吸烟（目前或3个月内戒烟）、"
                    "冠心病家族史（哪位亲属、发病年龄）、肥胖？",
    "known_cad": "既往冠心病、心肌梗死、PCI/CABG、卒中/TIA、外周动脉疾病史？",
    "heart_history": "胸痛特点（部位、性质、放射、诱因、伴出汗/恶心、硝酸甘油能否缓解），"
                     "以判断病史可疑程度",
    "ecg": "心电图结果（ST 段偏移、新发缺血改变）？",
    "troponin": "高敏肌钙蛋白结果？",
    "diaphoresis": "胸痛时是否伴大汗？",
    "radiation": "疼痛是否放射至上肢、肩、颈或下颌？",
    "pain_on_inspiration": "疼痛是否在吸气时出现或加重？",
    "palpation": "按压胸壁能否复制疼痛？",
    "heart_rate": "心率（次/分）？",
    "spo2": "未吸氧时的血氧饱和度（%）？",
    "leg_swelling": "有无下肢肿胀（单侧还是双侧）、深静脉走行区压痛？",
    "hemoptysis": "有无咯血？",
    "prior_vte": "既往有无深静脉血栓或肺栓塞史？",
    "recent_surgery": "近4周内有无手术、外伤，或制动/卧床≥3天？",
    "malignancy": "有无恶性肿瘤（6个月内治疗或姑息治疗中）？",
    "hormone_use": "是否口服避孕药、激素替代治疗或雌激素？",
    "aortic_conditions": "有无马方综合征等结缔组织病、主动脉病家族史、主动脉瓣疾病、"
                         "近期主动脉操作、已知胸主动脉瘤？",
    "aortic_pain": "疼痛是否突然发生、程度剧烈、呈撕裂样？",
    "aortic_exam": "查体：脉搏短绌、双上肢收缩压差>20 mmHg、局灶神经体征、主动脉瓣反流杂音、"
                   "低血压/休克？",
}

# Answers that come from a test, not from asking: the draft lists them under workup.
TEST_QUESTIONS = frozenset({"ecg", "troponin"})


@dataclass
class Question:
    id: str
    text: str
    scores: list[str] = field(default_factory=list)
    weight: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "for": list(self.scores)}


@cache
def _full_width(name: str) -> float:
    low, high = scores.compute(name, {}).range
    return float(high - low)


def weights(name: str, inputs: Mapping[str, Any], result: ScoreResult) -> dict[str, float]:
    """How much knowing each missing input would change this score (see the module docstring).

    The totals of every combination of the missing inputs' sample values are worked out once;
    grouping them by one input's value gives the range left if that input were known."""
    score = registry.get(name)
    known = check_inputs(name, score.accepted(), inputs)
    absent = [spec for spec in score.inputs if spec.name not in known]
    combos = list(itertools.product(*(spec.samples for spec in absent)))
    totals = [score.total_of({**known, **{spec.name: value for spec, value in zip(
        absent, combo, strict=True)}}) for combo in combos]

    width = result.range[1] - result.range[0]
    full = _full_width(name)
    found: dict[str, float] = {}
    for index, spec in enumerate(absent):
        if spec.name not in result.missing:
            continue
        groups: dict[Any, list[float]] = {}
        for combo, total in zip(combos, totals, strict=True):
            groups.setdefault(combo[index], []).append(total)
        widths = [max(group) - min(group) for group in groups.values()]
        narrowing = (width - mean(widths)) / full if full else 0.0
        settles = result.band is None and any(
            score.band(min(group)) == score.band(max(group)) for group in groups.values())
        found[spec.name] = narrowing + (1.0 if settles else 0.0)
    return found


def rank_questions(template: Template, findings: Findings, vitals: Mapping[str, float | None],
                   results: Mapping[str, tuple[Mapping[str, Any], ScoreResult]]
                   ) -> list[Question]:
    """Questions from the scores (heaviest first), then the template's open history items."""
    merged: dict[str, Question] = {}
    for name, (inputs, result) in results.items():
        asked = {q.input: q.text for q in result.questions}
        weighed = weights(name, inputs, result)
        for input_name in result.missing:
            question_id = QUESTION_IDS.get((name, input_name), f"{name}.{input_name}")
            text = QUESTION_TEXTS.get(question_id) or asked.get(input_name, question_id)
            question = merged.setdefault(question_id, Question(question_id, text))
            if name not in question.scores:
                question.scores.append(name)
            question.weight += weighed.get(input_name, 0.0)
    ranked = sorted(merged.values(), key=lambda q: -q.weight)

    for item in template.history:
        if item.id in merged:
            continue
        if item.covers and any(covered(c, findings, vitals) for c in item.covers):
            continue
        ranked.append(Question(item.id, item.text))
    return ranked
