"""NYHA functional class of heart failure.

Source: The Criteria Committee of the New York Heart Association. Nomenclature and Criteria
for Diagnosis of Diseases of the Heart and Great Vessels. 9th ed. Boston: Little, Brown & Co;
1994:253-256.

Classes as described there: I no limitation, ordinary physical activity causes no undue
fatigue, palpitation or dyspnoea; II slight limitation, comfortable at rest but ordinary
activity causes symptoms; III marked limitation, comfortable at rest but less than ordinary
activity causes symptoms; IV unable to carry on any physical activity without discomfort,
symptoms at rest.

Inputs (ours; the classes are descriptions, not fields):
- `symptoms_at_rest`: true or false (dyspnoea, fatigue or palpitation at rest; orthopnoea
  that keeps the patient from lying flat counts);
- `exertion_limit`: none (ordinary activity is fine) | ordinary (ordinary activity such as
  walking on the level or one flight of stairs brings symptoms) | less_than_ordinary
  (dressing, washing or a few steps bring symptoms).
The total is the class (1-4): IV with symptoms at rest, otherwise I, II or III from the
exertion limit; the band is that class as a Roman numeral.
"""

from __future__ import annotations

from engine.scores.base import ROMAN, Known, Score, highest_class, roman_band
from engine.scores.inputs import Choice, Flag
from engine.scores.model import Item

_EXERTION = {"none": (1, "日常活动不受限"), "ordinary": (2, "日常活动即出现症状"),
             "less_than_ordinary": (3, "轻于日常的活动即出现症状")}

INPUTS = (
    Flag("symptoms_at_rest", "静息时有无气促、乏力或心悸？能否平卧，夜间需垫几个枕头？"),
    Choice("exertion_limit", "活动耐量如何：平地步行或上一层楼是否气促？穿衣、洗漱或走几步是否"
           "就气促？", options=tuple(_EXERTION)),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "symptoms_at_rest" in known:
        at_rest = known["symptoms_at_rest"]
        items.append(Item("symptoms_at_rest", 4 if at_rest else 1,
                          "静息时即有症状：IV 级" if at_rest else "静息时无症状"))
    if "exertion_limit" in known:
        klass, label = _EXERTION[known["exertion_limit"]]
        items.append(Item("exertion_limit", klass, f"{label}：提示 {ROMAN[klass]} 级"))
    return items


SCORE = Score(
    name="nyha",
    title="NYHA 心功能分级",
    version="1994.1",
    citation="The Criteria Committee of the New York Heart Association. Nomenclature and "
             "Criteria for Diagnosis of Diseases of the Heart and Great Vessels. 9th ed. Boston: "
             "Little, Brown & Co; 1994:253-256.",
    inputs=INPUTS,
    points=_points,
    band=roman_band,
    combine=highest_class,
)
