"""PERC, the pulmonary embolism rule-out criteria.

Source: Kline JA, Mitchell AM, Kabrhel C, Richman PB, Courtney DM. Clinical criteria to prevent
unnecessary diagnostic testing in emergency department patients with suspected pulmonary
embolism. J Thromb Haemost 2004;2(8):1247-1255.

Eight criteria, one point each when met: age >= 50; heart rate >= 100/min; SpO2 < 95% on room
air; unilateral leg swelling; haemoptysis; surgery or trauma within 4 weeks; prior DVT/PE;
hormone use (oral contraceptives, hormone replacement or oestrogen). The total is the number
met; "negative" (none met) rules out PE only in patients whose pre-test probability is already
low (the doctor's gestalt < 15%), which the score cannot judge.
"""

from __future__ import annotations

from engine.scores.base import Known, Score, yes_no
from engine.scores.inputs import Flag, Number, completed_years
from engine.scores.model import Item

INPUTS = (
    Number("age", "患者年龄（岁）？", lowest=0, highest=130, unit="years",
           sample_values=(30, 60)),
    Number("heart_rate", "心率（次/分）？", lowest=0, highest=350, unit="beats/min",
           sample_values=(80, 110)),
    Number("spo2", "未吸氧时的血氧饱和度（%）？", lowest=0, highest=100, unit="%",
           sample_values=(90, 98)),
    Flag("unilateral_leg_swelling", "有无单侧下肢肿胀？"),
    Flag("hemoptysis", "有无咯血？"),
    Flag("recent_surgery_or_trauma", "4 周内有无手术或外伤？"),
    Flag("prior_vte", "既往有无深静脉血栓或肺栓塞史？"),
    Flag("hormone_use", "是否使用口服避孕药、激素替代治疗或雌激素？"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "age" in known:
        years = completed_years(known["age"])
        items.append(_criterion("age", years >= 50, f"年龄 {years} 岁", "≥50 岁"))
    if "heart_rate" in known:
        rate = known["heart_rate"]
        items.append(_criterion("heart_rate", rate >= 100, f"心率 {rate} 次/分", "≥100"))
    if "spo2" in known:
        spo2 = known["spo2"]
        items.append(_criterion("spo2", spo2 < 95, f"SpO2 {spo2}%", "<95%"))
    items += yes_no(known, "unilateral_leg_swelling", 1, "单侧下肢肿胀：符合", "无单侧下肢肿胀")
    items += yes_no(known, "hemoptysis", 1, "咯血：符合", "无咯血")
    items += yes_no(known, "recent_surgery_or_trauma", 1, "4 周内手术或外伤：符合",
                    "近期无手术或外伤")
    items += yes_no(known, "prior_vte", 1, "既往 DVT/PE：符合", "无 DVT/PE 史")
    items += yes_no(known, "hormone_use", 1, "使用雌激素类药物：符合", "未用雌激素类药物")
    return items


def _criterion(name: str, met: bool, measured: str, threshold: str) -> Item:
    if met:
        return Item(name, 1, f"{measured}（{threshold}）：符合")
    return Item(name, 0, f"{measured}：不符合")


def _band(total: float) -> str:
    return "negative" if total == 0 else "positive"


SCORE = Score(
    name="perc",
    title="PERC 肺栓塞排除标准",
    version="2004.1",
    citation="Kline JA, Mitchell AM, Kabrhel C, Richman PB, Courtney DM. Clinical criteria to "
             "prevent unnecessary diagnostic testing in emergency department patients with "
             "suspected pulmonary embolism. J Thromb Haemost 2004;2(8):1247-1255.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
