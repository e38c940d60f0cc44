"""Killip class of heart failure in acute myocardial infarction.

Source: Killip T 3rd, Kimball JT. Treatment of myocardial infarction in a coronary care unit:
a two year experience with 250 patients. Am J Cardiol 1967;20(4):457-464.

Classes as described there: I no signs of heart failure; II rales over up to half of the lung
fields, an S3 gallop or raised jugular venous pressure; III frank pulmonary oedema, rales over
more than half of the lung fields; IV cardiogenic shock (systolic pressure < 90 mmHg with signs
of poor perfusion: oliguria, cyanosis, cold clammy skin, confusion).

Inputs (ours; the paper describes classes, not fields):
- `rales`: none | basal (up to half the lung fields) | over_half (more than half, or frank
  pulmonary oedema);
- `s3_gallop`, `jugular_venous_distension`, `cardiogenic_shock`: true or false.
Each finding points to a class; the total is the highest class any finding points to (1-4),
and the band is that class as a Roman numeral.
"""

from __future__ import annotations

from engine.scores.base import ROMAN, Known, Score, highest_class, roman_band
from engine.scores.inputs import Choice, Flag
from engine.scores.model import Item

_RALES = {"none": (1, "肺部无啰音"), "basal": (2, "啰音不超过 1/2 肺野"),
          "over_half": (3, "啰音超过 1/2 肺野或急性肺水肿")}

INPUTS = (
    Choice("rales", "肺部啰音范围：无、不超过 1/2 肺野，还是超过 1/2 肺野（急性肺水肿）？",
           options=tuple(_RALES)),
    Flag("s3_gallop", "有无第三心音（S3 奔马律）？"),
    Flag("jugular_venous_distension", "有无颈静脉怒张？"),
    Flag("cardiogenic_shock", "有无心源性休克（收缩压 <90 mmHg 且有少尿、发绀、四肢湿冷、"
         "意识改变等灌注不足表现）？"),
)


def _points(known: Known) -> list[Item]:
    items: list[Item] = []
    if "rales" in known:
        klass, label = _RALES[known["rales"]]
        items.append(Item("rales", klass, f"{label}：提示 {ROMAN[klass]} 级"))
    for name, klass, yes, no in (
        ("s3_gallop", 2, "有 S3 奔马律", "无 S3"),
        ("jugular_venous_distension", 2, "颈静脉怒张", "无颈静脉怒张"),
        ("cardiogenic_shock", 4, "心源性休克", "无心源性休克"),
    ):
        if name in known:
            found = known[name]
            shown = klass if found else 1
            items.append(Item(name, shown, f"{yes if found else no}：提示 {ROMAN[shown]} 级"))
    return items


SCORE = Score(
    name="killip",
    title="Killip 心功能分级（急性心梗）",
    version="1967.1",
    citation="Killip T 3rd, Kimball JT. Treatment of myocardial infarction in a coronary care "
             "unit: a two year experience with 250 patients. Am J Cardiol 1967;20(4):457-464.",
    inputs=INPUTS,
    points=_points,
    band=roman_band,
    combine=highest_class,
)
