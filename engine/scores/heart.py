"""HEART score for chest pain in the emergency department.

Source: Six AJ, Backus BE, Kelder JC. Chest pain in the emergency room: value of the HEART
score. Neth Heart J 2008;16(6):191-196; validated in Backus BE, Six AJ, Kelder JC, et al.
A prospective validation of the HEART score for chest pain patients at the emergency
department. Int J Cardiol 2013;168(3):2153-2158.

Five elements of 0-2 points each:
- History: slightly (0), moderately (1) or highly (2) suspicious.
- ECG: normal (0), nonspecific repolarisation disturbance (1), significant ST deviation (2).
- Age: < 45 (0), 45-64 (1), >= 65 (2).
- Risk factors (hypertension, hypercholesterolaemia, diabetes, smoking, family history,
  obesity): none (0), 1-2 (1), >= 3 or a history of atherosclerotic disease (2).
- Troponin, as measured / upper reference limit: <= 1 (0), 1-3 (1), > 3 (2).
Bands: 0-3 low, 4-6 moderate, 7-10 high.
"""

from __future__ import annotations

from engine.scores.base import Known, Score
from engine.scores.inputs import Choice, Flag, Number, Subset, completed_years
from engine.scores.model import Item

RISK_FACTORS = ("hypertension", "hypercholesterolemia", "diabetes", "smoking",
                "family_history", "obesity")

_HISTORY = {"slight": (0, "轻度可疑"), "moderate": (1, "中度可疑"), "high": (2, "高度可疑")}
_ECG = {"normal": (0, "正常"), "nonspecific": (1, "非特异性复极异常"),
        "st_deviation": (2, "明显 ST 段偏移")}

INPUTS = (
    Choice("history", "胸痛病史的可疑程度：轻度、中度还是高度可疑？（性质、部位、放射、诱因、"
           "含服硝酸甘油能否缓解）", options=tuple(_HISTORY)),
    Choice("ecg", "心电图：正常、非特异性复极异常，还是明显 ST 段偏移？", options=tuple(_ECG)),
    Number("age", "患者年龄（岁）？", lowest=0, highest=130, unit="years",
           sample_values=(30, 50, 70)),
    Subset("risk_factors", "有哪些危险因素：高血压、高胆固醇血症、糖尿病、吸烟、早发冠心病家族史、"
           "肥胖（BMI>30）？", options=RISK_FACTORS),
    Flag("atherosclerotic_disease", "既往有无动脉粥样硬化性疾病（心肌梗死、PCI/CABG、"
         "卒中/TIA、外周动脉疾病）？"),
    Number("troponin_ratio", "肌钙蛋白测定值是正常上限的几倍？", lowest=0, highest=100_000,
           unit="measured / upper reference limit", sample_values=(0.5, 2, 4)),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "history" in known:
        points, label = _HISTORY[known["history"]]
        items.append(Item("history", points, f"病史{label}：{points} 分"))
    if "ecg" in known:
        points, label = _ECG[known["ecg"]]
        items.append(Item("ecg", points, f"心电图{label}：{points} 分"))
    if "age" in known:
        items.append(_age_item(known["age"]))
    items += _risk_items(known)
    if "troponin_ratio" in known:
        items.append(_troponin_item(known["troponin_ratio"]))
    return items


def _age_item(age: float) -> Item:
    years = completed_years(age)
    if years < 45:
        return Item("age", 0, f"年龄 {years} 岁（<45 岁）：0 分")
    if years < 65:
        return Item("age", 1, f"年龄 {years} 岁（45-64 岁）：1 分")
    return Item("age", 2, f"年龄 {years} 岁（≥65 岁）：2 分")


def _risk_items(known: Known) -> list[Item]:
    # Atherosclerotic disease alone earns the element's 2 points, whatever the factor count.
    disease = known.get("atherosclerotic_disease")
    factors = known.get("risk_factors")
    items: list[Item] = []
    if disease is True:
        items.append(Item("atherosclerotic_disease", 2, "有动脉粥样硬化性疾病史：危险因素项 2 分"))
        if factors is not None:
            items.append(Item("risk_factors", 0, "危险因素项已按动脉粥样硬化病史计满 2 分"))
        return items

    if disease is False:
        items.append(Item("atherosclerotic_disease", 0, "无动脉粥样硬化性疾病史：0 分"))
    if factors is not None:
        count = len(factors)
        points = 2 if count >= 3 else 1 if count >= 1 else 0
        items.append(Item("risk_factors", points, f"危险因素 {count} 项：{points} 分"))
    return items


def _troponin_item(ratio: float) -> Item:
    if ratio <= 1:
        return Item("troponin_ratio", 0, f"肌钙蛋白为正常上限的 {ratio} 倍（≤1 倍）：0 分")
    if ratio <= 3:
        return Item("troponin_ratio", 1, f"肌钙蛋白为正常上限的 {ratio} 倍（1-3 倍）：1 分")
    return Item("troponin_ratio", 2, f"肌钙蛋白为正常上限的 {ratio} 倍（>3 倍）：2 分")


def _band(total: float) -> str:
    if total <= 3:
        return "low"
    if total <= 6:
        return "moderate"
    return "high"


SCORE = Score(
    name="heart",
    title="HEART 评分（胸痛）",
    version="2013.1",
    citation="Six AJ, Backus BE, Kelder JC. Chest pain in the emergency room: value of the "
             "HEART score. Neth Heart J 2008;16(6):191-196. Backus BE, Six AJ, Kelder JC, et al. "
             "A prospective validation of the HEART score for chest pain patients at the "
             "emergency department. Int J Cardiol 2013;168(3):2153-2158.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
