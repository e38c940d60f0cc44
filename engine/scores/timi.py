"""TIMI risk score for unstable angina / non-ST-elevation myocardial infarction.

Source: Antman EM, Cohen M, Bernink PJ, et al. The TIMI risk score for unstable angina/non-ST
elevation MI: a method for prognostication and therapeutic decision making.
JAMA 2000;284(7):835-842.

One point each: age >= 65; >= 3 coronary risk factors (family history, hypertension,
hypercholesterolaemia, diabetes, current smoking); known coronary stenosis >= 50%; aspirin in
the last 7 days; severe angina (>= 2 episodes in 24 h); ST deviation >= 0.5 mm; positive cardiac
marker. Antman reports the 14-day event rate for each total (0-1: 4.7%, 2: 8.3%, 3: 13.2%,
4: 19.9%, 5: 26.2%, 6-7: 40.9%); the bands here (0-2 low, 3-4 intermediate, 5-7 high) are the
grouping in common clinical use, not a cut the paper itself makes.
"""

from __future__ import annotations

from engine.scores.base import Known, Score, yes_no
from engine.scores.inputs import Flag, Number, completed_years
from engine.scores.model import Item

INPUTS = (
    Number("age", "患者年龄（岁）？", lowest=0, highest=130, unit="years",
           sample_values=(40, 70)),
    Number("risk_factor_count", "冠心病危险因素有几项（早发冠心病家族史、高血压、高胆固醇血症、"
           "糖尿病、目前吸烟）？", lowest=0, highest=5, whole=True, sample_values=(0, 3)),
    Flag("known_cad", "既往是否证实冠状动脉狭窄 ≥50%？"),
    Flag("aspirin_7d", "近 7 天内是否服用阿司匹林？"),
    Flag("severe_angina_24h", "近 24 小时内心绞痛发作是否 ≥2 次？"),
    Flag("st_deviation", "心电图是否有 ST 段偏移 ≥0.5 mm？"),
    Flag("positive_marker", "心肌损伤标志物（肌钙蛋白/CK-MB）是否升高？"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "age" in known:
        years = completed_years(known["age"])
        old = years >= 65
        items.append(Item("age", 1 if old else 0, f"年龄 {years} 岁{'（≥65 岁）' if old else ''}："
                                                   f"{1 if old else 0} 分"))
    if "risk_factor_count" in known:
        count = known["risk_factor_count"]
        items.append(Item("risk_factor_count", 1 if count >= 3 else 0,
                          f"危险因素 {count} 项：{1 if count >= 3 else 0} 分"))
    items += yes_no(known, "known_cad", 1, "已知冠状动脉狭窄 ≥50%：1 分", "无已知冠脉狭窄：0 分")
    items += yes_no(known, "aspirin_7d", 1, "近 7 天服用阿司匹林：1 分",
                    "近 7 天未服阿司匹林：0 分")
    items += yes_no(known, "severe_angina_24h", 1, "24 h 内心绞痛 ≥2 次：1 分",
                    "24 h 内心绞痛 <2 次：0 分")
    items += yes_no(known, "st_deviation", 1, "ST 段偏移 ≥0.5 mm：1 分", "无 ST 段偏移：0 分")
    items += yes_no(known, "positive_marker", 1, "心肌标志物升高：1 分", "心肌标志物阴性：0 分")
    return items


def _band(total: float) -> str:
    if total <= 2:
        return "low"
    if total <= 4:
        return "intermediate"
    return "high"


SCORE = Score(
    name="timi",
    title="TIMI 评分（UA/NSTEMI）",
    version="2000.1",
    citation="Antman EM, Cohen M, Bernink PJ, et al. The TIMI risk score for unstable "
             "angina/non-ST elevation MI: a method for prognostication and therapeutic decision "
             "making. JAMA 2000;284(7):835-842.",
    inputs=INPUTS,
    points=_points,
    band=_band,
)
