"""The rules-first draft: the record sections written from the findings, with no model.

Everything the draft states comes from an input: the findings (each backed by words of the
text), the triage vitals, the template the doctor chose (its provisional diagnosis,
differentials, workup and reminders) and the scores computed from those. A finding the text does
not give is not written; it is asked (补病史) instead. Sentences follow standard record
language: 主诉 is the main symptom and its duration (左胸痛3小时); 现病史 gives, in order, the
time and manner of onset, location and character, course, radiation, what makes it worse or
better, associated symptoms and the relevant negatives.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import cast

from engine.drafting.model import (
    CHIEF_COMPLAINT_CONVENTION,
    Diagnosis,
    DraftContent,
    Reminder,
    RiskItem,
    RiskLevel,
)
from engine.findings import Assessment, vocabulary
from engine.findings.assess import resolve_template
from engine.findings.model import Findings
from engine.findings.questions import TEST_QUESTIONS
from engine.scores import ScoreResult, title
from engine.scores.troponin import first_repeat_due
from prompts.templates import Template

log = logging.getLogger(__name__)

# Chief complaints that name where the pain is (左胸痛 rather than 胸痛).
_CHEST_PAIN_BY_LOCATION = {"left_chest": "左胸痛", "right_chest": "右胸痛",
                           "retrosternal": "胸骨后疼痛", "precordial": "心前区疼痛",
                           "back": "胸背痛", "epigastric": "胸痛"}
# Symptoms that may share the chief complaint with the first one (胸闷、呼吸困难3天).
_CARDINAL = frozenset({"chest_pain", "chest_tightness", "dyspnea", "palpitations", "syncope",
                       "hemoptysis", "abdominal_pain", "back_pain"})
_DISEASE_HISTORY_EXCLUDED = frozenset({"smoking", "hormone_use", "family_history_cad",
                                       "obesity"})
_BANDS = {"low": "低危", "moderate": "中危", "high": "高危", "intermediate": "中危",
          "not_low": "非低危", "negative": "阴性", "positive": "阳性", "likely": "可能性大",
          "unlikely": "可能性小", "very_low": "极低危", "I": "I级", "II": "II级",
          "III": "III级", "IV": "IV级"}
# Short names of score inputs for "still missing" (待补) in a score's basis.
_INPUT_LABELS = {
    "history": "病史可疑程度", "ecg": "心电图", "age": "年龄", "sex": "性别",
    "risk_factors": "危险因素", "risk_factor_count": "危险因素", "troponin_ratio": "肌钙蛋白",
    "atherosclerotic_disease": "动脉粥样硬化病史", "known_cad": "冠心病史",
    "diaphoresis": "大汗", "radiation": "放射痛", "pain_on_inspiration": "吸气痛",
    "reproducible_by_palpation": "按压痛", "aspirin_7d": "7天内阿司匹林",
    "severe_angina_24h": "24小时内心绞痛≥2次", "st_deviation": "ST段偏移",
    "positive_marker": "心肌标志物", "dvt_signs": "DVT体征", "pe_most_likely": "肺栓塞最可能",
    "heart_rate": "心率", "immobilization_or_surgery": "制动/手术", "prior_vte": "VTE史",
    "hemoptysis": "咯血", "malignancy": "恶性肿瘤", "spo2": "血氧饱和度",
    "unilateral_leg_swelling": "单侧下肢肿胀", "recent_surgery_or_trauma": "近期手术/外伤",
    "hormone_use": "激素使用", "conditions": "高危病史", "pain": "疼痛特征", "exam": "查体",
}
_PROTOCOL_LABELS = {"0h1h": "0h/1h方案", "0h2h": "0h/2h方案"}
# Below this many minutes since onset, a very low 0 h value alone cannot rule out (ESC 2020).
_EARLY_PRESENTER_MINUTES = 180


def duration_text(minutes: int) -> str:
    """Minutes in the largest unit that writes them whole: 40分钟, 3小时, 2天, 1周, 半年."""
    units = ((525600, "年"), (43200, "个月"), (10080, "周"), (1440, "天"), (60, "小时"))
    for size, unit in units:
        if minutes >= size and minutes % size == 0:
            return f"{minutes // size}{unit}"
        if unit in ("年", "个月") and minutes * 2 == size:
            return f"半{unit}"
    return f"{minutes}分钟"


def _clip(text: str, limit: int) -> str:
    """Keep a section inside the model's bound; only a pathological input ever reaches it."""
    if len(text) <= limit:
        return text
    log.debug("clipping a draft section from %d to %d characters", len(text), limit)
    return text[: limit - 1] + "…"


def _joined(labels: list[str]) -> str:
    return "、".join(labels)


def _label(field: str, value: str) -> str:
    return vocabulary().label(field, value)


def _record(field: str, value: str) -> str:
    return vocabulary().record(field, value)


def _pain_phrase(findings: Findings) -> str:
    """胸骨后压榨样疼痛, 左侧胸部针刺样疼痛, 胸痛: where and what, as far as the text says."""
    where = _joined([_record("location", v) for v in findings.location])
    kinds = [v for v in findings.character if v != "dull"]
    if kinds:
        return f"{where or '胸部'}{_joined([_record('character', v) for v in kinds])}疼痛"
    if "dull" in findings.character:
        return f"{where}钝痛" if where else "胸部钝痛"
    return f"{where}疼痛" if where else "胸痛"


def chief_complaint(findings: Findings, text: str = "") -> str:
    """The first symptom and its duration; a second one joins it when the text names both
    before the duration (胸闷气喘3天 -> 胸闷、呼吸困难3天; 呼吸困难伴胸痛6小时)."""
    if not findings.present:
        return ""
    first = findings.present[0]
    if first == "chest_pain":
        lead = next((_CHEST_PAIN_BY_LOCATION[v] for v in findings.location
                     if v in _CHEST_PAIN_BY_LOCATION), "胸痛")
    else:
        lead = _label("symptom", first)
    duration = duration_text(findings.duration_minutes) if findings.duration_minutes else ""

    second = _paired_symptom(findings, first)
    if second is not None:
        start_first = findings.evidence[f"present:{first}"][0][0]
        start_second = findings.evidence[f"present:{second}"][0][0]
        joiner = "伴" if "伴" in text[start_first:start_second] else "、"
        label = "胸痛" if second == "chest_pain" else _label("symptom", second)
        paired = f"{lead}{joiner}{label}{duration}"
        if len(paired) <= CHIEF_COMPLAINT_CONVENTION:
            return paired
    return f"{lead}{duration}"


def _paired_symptom(findings: Findings, first: str) -> str | None:
    duration = findings.evidence.get("duration_minutes")
    if first not in _CARDINAL or not duration:
        return None
    for symptom in findings.present[1:]:
        spans = findings.evidence.get(f"present:{symptom}")
        if symptom in _CARDINAL and spans and spans[0][0] < duration[0][0]:
            return symptom
    return None


def present_illness(findings: Findings) -> str:
    if not findings.present and not findings.absent:
        return ""
    clauses: list[str] = []
    if findings.present:
        first = findings.present[0]
        when = f"{duration_text(findings.duration_minutes)}前" if findings.duration_minutes \
            else ""
        how = {"sudden": "突发", "gradual": "逐渐出现"}.get(findings.onset or "", "出现")
        what = _pain_phrase(findings) if first == "chest_pain" else _label("symptom", first)
        clauses.append(f"患者{when}{how}{what}")
        if "chest_pain" not in findings.present and findings.character:
            clauses.append(f"呈{_joined([_label('character', v) for v in findings.character])}")
        if findings.course:
            clauses.append(_record("course", findings.course))
        if findings.radiation:
            targets = _joined([_record("radiation", v) for v in findings.radiation])
            clauses.append(f"向{targets}放射")
        elif "radiation" in findings.denied:
            clauses.append("无放射")
        clauses += [_record("aggravating", v) for v in findings.aggravating]
        clauses += [_record("relieving", v) for v in findings.relieving]
        associated = [_pain_phrase(findings) if s == "chest_pain" else _label("symptom", s)
                      for s in findings.present[1:]]
        if associated:
            clauses.append(f"伴{_joined(associated)}")
    else:
        clauses.append("患者")
    if findings.absent:
        clauses.append(f"无{_joined([_label('symptom', s) for s in findings.absent])}")
    text = "，".join(clauses)
    return text.replace("患者，无", "患者无", 1) + "。"


def past_history(findings: Findings) -> str:
    diseases = [h for h in findings.history if h not in _DISEASE_HISTORY_EXCLUDED]
    denied = [h for h in findings.history_denied if h not in _DISEASE_HISTORY_EXCLUDED]
    sentences = []
    if diseases:
        sentences.append(f"既往{_joined([_label('history', h) for h in diseases])}病史")
    if findings.previously_healthy and not diseases:
        sentences.append("既往体健")
    elif denied:
        sentences.append(f"否认{_joined([_label('history', h) for h in denied])}病史")
    return "".join(f"{s}。" for s in sentences)


def personal_history(findings: Findings) -> str:
    sentences = []
    if "smoking" in findings.history:
        sentences.append("吸烟")
    elif "smoking" in findings.history_denied:
        sentences.append("否认吸烟")
    if "hormone_use" in findings.history:
        sentences.append("口服避孕药/雌激素")
    if "obesity" in findings.history:
        sentences.append("体型肥胖")
    if "family_history_cad" in findings.history:
        ages = sorted({e.age for e in findings.family if e.age is not None})
        detail = f"（亲属发病年龄{_joined([f'{a}岁' for a in ages])}）" if ages else ""
        sentences.append(f"家族史：有冠心病家族史{detail}")
    elif "family_history_cad" in findings.history_denied:
        sentences.append("家族史：否认冠心病家族史")
    return "".join(f"{s}。" for s in sentences)


def _number(value: float | None) -> str:
    assert value is not None
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def physical_exam(assessment: Assessment) -> str:
    """Vital signs in T, P, R, BP, SpO2 order; triage readings are marked 预检."""
    vitals, triage = assessment.vitals, assessment.triage

    def shown(key: str, text: str) -> str:
        return f"{text}（预检）" if key in triage else text

    parts = []
    for key, template in (("temp", "T {}℃"), ("hr", "P {}次/分"), ("rr", "R {}次/分")):
        if vitals.get(key) is not None:
            parts.append(shown(key, template.format(_number(vitals[key]))))
    if vitals.get("sbp") is not None and vitals.get("dbp") is not None:
        parts.append(shown("sbp", f"BP {_number(vitals['sbp'])}/{_number(vitals['dbp'])}mmHg"))
    for side, label in (("left", "左上肢"), ("right", "右上肢")):
        systolic, diastolic = vitals.get(f"sbp_{side}"), vitals.get(f"dbp_{side}")
        if systolic is not None and diastolic is not None:
            parts.append(shown(f"sbp_{side}",
                               f"{label}BP {_number(systolic)}/{_number(diastolic)}mmHg"))
    if vitals.get("spo2") is not None:
        parts.append(shown("spo2", f"SpO2 {_number(vitals['spo2'])}%"))
    return "，".join(parts) + ("。" if parts else "")


def _band(band: str | None) -> str:
    return _BANDS.get(band or "", band or "")


def _risk_item(name: str, result: ScoreResult) -> RiskItem:
    total = _number(result.total)
    if result.complete:
        outcome = f"{total}分（{_band(result.band)}）"
    else:
        low, high = (_number(v) for v in result.range)
        outcome = f"已知{total}分，可能{low}–{high}分"
        if result.band:
            outcome += f"（{_band(result.band)}）"
    basis = "；".join(item.basis for item in result.items)
    if result.missing:
        wanted = _joined([_INPUT_LABELS.get(m, m) for m in result.missing])
        basis += ("；" if basis else "") + f"待补：{wanted}"
    return RiskItem(name=_clip(title(name), 40), result=_clip(outcome, 80),
                    basis=_clip(basis, 300))


def risk_assessment(assessment: Assessment) -> list[RiskItem]:
    items = [_risk_item(name, result) for name, result in assessment.scores.items()]
    for flag in assessment.red_flags:
        quoted = _joined([assessment.text[start:end] for start, end in flag.evidence])
        basis = f"依据：{quoted}" if quoted else "依据：预检生命体征"
        items.append(RiskItem(name="危险信号", result=_clip(flag.text, 80),
                              basis=_clip(basis, 300)))
    return items[:10]


def _troponin_protocol(requested: str | None) -> str:
    if requested:
        return requested
    from engine.settings import Settings

    return str(Settings.load().get("troponin_protocol"))


def reminders(template: Template, findings: Findings, now: datetime,
              protocol: str) -> list[Reminder]:
    out = []
    for reminder in template.reminders:
        if reminder.troponin:
            due = first_repeat_due(protocol, now)
            text = (f"{reminder.text}（{_PROTOCOL_LABELS.get(protocol, protocol)}，"
                    f"按现在首次采血计 {due:%H:%M}）")
            minutes = findings.duration_minutes
            if minutes is not None and minutes <= _EARLY_PRESENTER_MINUTES:
                text += "；发病≤3小时，0h极低值不能单独排除"
        else:
            assert reminder.due_in_minutes is not None
            due = now + timedelta(minutes=reminder.due_in_minutes)
            text = f"{reminder.text}：{due:%H:%M}"
        delay = max(0, round((due - now).total_seconds() / 60))
        out.append(Reminder(text=_clip(text, 120), due_in_minutes=delay, due_at=due))
    return out[:8]


def compose(assessment: Assessment, template_id: str, now: datetime, *,
            troponin_protocol: str | None = None) -> DraftContent:
    """The rules engine's draft of one case (engine "rules" in the draft's provenance)."""
    template = assessment.template if template_id == assessment.template.id \
        else resolve_template(template_id)
    findings = assessment.findings
    protocol = _troponin_protocol(troponin_protocol)

    questions = [q.text for q in assessment.questions if q.id not in TEST_QUESTIONS]
    return DraftContent(
        chief_complaint=_clip(chief_complaint(findings, assessment.text), 60),
        present_illness=_clip(present_illness(findings), 1200),
        past_history=_clip(past_history(findings), 400),
        personal_history=_clip(personal_history(findings), 200),
        physical_exam=_clip(physical_exam(assessment), 600),
        diagnosis=Diagnosis(primary=template.diagnosis,
                            differentials=list(template.differentials)[:6]),
        history_to_ask=[_clip(text, 200) for text in questions[:12]],
        risk_assessment=risk_assessment(assessment),
        suggested_workup=[item.text for item in template.workup][:12],
        reminders=reminders(template, findings, now, protocol),
        risk_level=cast(RiskLevel | None, assessment.risk_level),
    )
