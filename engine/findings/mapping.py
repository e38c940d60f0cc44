"""From findings (plus triage vitals) to the inputs of each score.

The rule for every yes/no input: true when the text reports the finding, false only when the text
denies it (无出汗, 否认高血压, 既往体健), and otherwise missing, so the score stays partial and
asks. Lists of risk factors are given only when they settle the points: once enough factors are
present to reach the top bracket, or when every factor is known either way.

Each score keeps its own definitions, as published:

- HEART (Six 2008; Backus 2013): risk factors are hypertension, hypercholesterolaemia, diabetes,
  smoking, obesity (BMI > 30) and family history, meaning a parent or sibling with coronary
  disease before 65. Atherosclerotic disease is prior MI, PCI/CABG, stroke/TIA or peripheral
  arterial disease.
- TIMI (Antman 2000): risk factors are family history of coronary disease, hypertension,
  hypercholesterolaemia, diabetes and current smoking; obesity is not one. Antman lists
  "family history of CAD" without an age limit; a first-degree relative is required here.
- EDACS (Than 2014): risk factors are hypertension, hypercholesterolaemia, diabetes, current
  smoking and family history of premature coronary disease; obesity is not one.
  FIXME(mapping): Than 2014 does not state the age limit of "premature" in the text we have;
  the usual one (male first-degree relative < 55, female < 65) is used until it is checked.

HEART's history element is the doctor's judgement of how suspicious the story is ("mainly
specific", "mixed", "mainly nonspecific" elements, Six 2008). It is derived here from the
elements the text states and the basis says which ones, so the doctor can overrule it:
specific: retrosternal, pressure-like, radiation to arm/shoulder/neck/jaw, brought on by
exertion, diaphoresis, nausea/vomiting, relief by nitroglycerin; nonspecific: stabbing,
positional, reproduced by palpation, worse on inspiration. Two or more specific and no
nonspecific: high; both kinds, or one specific alone: moderate; only nonspecific: slight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.findings.model import Findings

# A score input and the findings keys (evidence) it was read from.
Sources = dict[str, list[str]]

ATHEROSCLEROTIC = ("prior_mi", "prior_pci_cabg", "cad", "stroke_tia", "pad")
KNOWN_CAD = ("cad", "prior_mi", "prior_pci_cabg")
RADIATION_FOR_EDACS = ("left_arm", "right_arm", "shoulder", "neck", "jaw")
SPECIFIC = ("location:retrosternal", "character:pressure", "radiation:typical",
            "aggravating:exertion", "present:diaphoresis", "present:nausea_or_vomiting",
            "relieving:nitroglycerin")
NONSPECIFIC = ("character:stabbing", "aggravating:position", "aggravating:palpation",
               "aggravating:inspiration")
HEART_FACTORS = ("hypertension", "hypercholesterolemia", "diabetes", "smoking",
                 "family_history", "obesity")
COUNTED_FACTORS = ("hypertension", "hypercholesterolemia", "diabetes", "smoking",
                   "family_history")


@dataclass(frozen=True)
class ScoreInputs:
    """The inputs of one score as the text and triage give them, with their sources."""

    values: dict[str, Any]
    sources: Sources = field(default_factory=dict)


def _symptom(findings: Findings, symptom: str) -> bool | None:
    if symptom in findings.present:
        return True
    if symptom in findings.absent:
        return False
    return None


def _history(findings: Findings, item: str) -> bool | None:
    if item in findings.history:
        return True
    if item in findings.history_denied:
        return False
    return None


def _any(states: list[bool | None]) -> bool | None:
    """True if one is true, false if all are false, else unknown."""
    if True in states:
        return True
    if states and all(state is False for state in states):
        return False
    return None


def _family(findings: Findings, definition: str) -> bool | None:
    """Whether the family history counts under one score's definition."""
    if "family_history_cad" in findings.history_denied:
        return False
    for event in findings.family:
        if event.premature_stated:
            return True
        if event.first_degree is not True:
            continue
        if definition == "timi":
            return True
        if event.age is None:
            continue
        if definition == "heart" and event.age < 65:
            return True
        limit = 55 if event.sex == "male" else 65 if event.sex == "female" else None
        if definition == "edacs" and limit is not None and event.age < limit:
            return True
    return None


def _factor_states(findings: Findings, definition: str) -> dict[str, bool | None]:
    states: dict[str, bool | None] = {
        "hypertension": _history(findings, "hypertension"),
        "hypercholesterolemia": _history(findings, "hypercholesterolemia"),
        "diabetes": _history(findings, "diabetes"),
        "smoking": _history(findings, "smoking"),
        "family_history": _family(findings, definition),
    }
    if definition == "heart":
        states["obesity"] = _history(findings, "obesity")
    return states


def _settled_factors(states: dict[str, bool | None], top: int) -> list[str] | None:
    """The factors present, when that settles the points: ``top`` or more present, or none
    unknown. Otherwise None (the count could still go up)."""
    present = [name for name, state in states.items() if state is True]
    if len(present) >= top or all(state is not None for state in states.values()):
        return present
    return None


def _factor_sources(states: dict[str, bool | None]) -> list[str]:
    keys = []
    for name, state in states.items():
        item = "family_history_cad" if name == "family_history" else name
        if state is True:
            keys.append(f"history:{item}")
        elif state is False:
            keys.append(f"history_denied:{item}")
    return keys


def heart_history(findings: Findings) -> tuple[str | None, list[str]]:
    """HEART's history element from the stated elements (see the module docstring)."""
    stated = set(findings.present)
    stated.update(f"location:{v}" for v in findings.location)
    stated.update(f"character:{v}" for v in findings.character)
    stated.update(f"aggravating:{v}" for v in findings.aggravating)
    stated.update(f"relieving:{v}" for v in findings.relieving)
    if set(findings.radiation) & set(RADIATION_FOR_EDACS):
        stated.add("radiation:typical")
    if "diaphoresis" in findings.present:
        stated.add("present:diaphoresis")
    if {"nausea", "vomiting"} & set(findings.present):
        stated.add("present:nausea_or_vomiting")

    specific = [key for key in SPECIFIC if key in stated]
    nonspecific = [key for key in NONSPECIFIC if key in stated]
    if not specific and not nonspecific:
        return None, []
    if not nonspecific and len(specific) >= 2:
        return "high", specific
    if not specific:
        return "slight", nonspecific
    return "moderate", specific + nonspecific


def _put(inputs: dict[str, Any], sources: Sources, name: str, value: Any,
         keys: list[str]) -> None:
    if value is None:
        return
    inputs[name] = value
    sources[name] = keys


def _yes_no_keys(findings: Findings, symptom: str) -> list[str]:
    return [f"present:{symptom}" if symptom in findings.present else f"absent:{symptom}"]


def _history_keys(findings: Findings, items: tuple[str, ...]) -> list[str]:
    return [f"history:{i}" for i in items if i in findings.history] + \
        [f"history_denied:{i}" for i in items if i in findings.history_denied]


def _systolic(vitals: Mapping[str, float | None]) -> float | None:
    if vitals.get("sbp") is not None:
        return vitals["sbp"]
    arms = [vitals.get("sbp_left"), vitals.get("sbp_right")]
    known = [value for value in arms if value is not None]
    return min(known) if known else None


def arm_difference(vitals: Mapping[str, float | None]) -> float | None:
    left, right = vitals.get("sbp_left"), vitals.get("sbp_right")
    if left is None or right is None:
        return None
    return abs(left - right)


def _heart(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    history, keys = heart_history(findings)
    _put(inputs, sources, "history", history, keys)
    _put(inputs, sources, "age", findings.age, ["age"])
    states = _factor_states(findings, "heart")
    _put(inputs, sources, "risk_factors", _settled_factors(states, 3), _factor_sources(states))
    disease = _any([_history(findings, item) for item in ATHEROSCLEROTIC])
    _put(inputs, sources, "atherosclerotic_disease", disease,
         _history_keys(findings, ATHEROSCLEROTIC))
    return ScoreInputs(inputs, sources)


def _edacs(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    if findings.age is not None and findings.age >= 18:
        _put(inputs, sources, "age", findings.age, ["age"])
    _put(inputs, sources, "sex", findings.sex, ["sex"])
    _put(inputs, sources, "known_cad", _any([_history(findings, i) for i in KNOWN_CAD]),
         _history_keys(findings, KNOWN_CAD))
    states = _factor_states(findings, "edacs")
    settled = _settled_factors(states, 3)
    _put(inputs, sources, "risk_factor_count", None if settled is None else len(settled),
         _factor_sources(states))
    _put(inputs, sources, "diaphoresis", _symptom(findings, "diaphoresis"),
         _yes_no_keys(findings, "diaphoresis"))

    typical = [r for r in findings.radiation if r in RADIATION_FOR_EDACS]
    if typical:
        _put(inputs, sources, "radiation", True, [f"radiation:{r}" for r in typical])
    elif "radiation" in findings.denied:
        _put(inputs, sources, "radiation", False, ["denied:radiation"])
    for name, factor in (("pain_on_inspiration", "inspiration"),
                         ("reproducible_by_palpation", "palpation")):
        if factor in findings.aggravating:
            _put(inputs, sources, name, True, [f"aggravating:{factor}"])
        elif f"aggravating:{factor}" in findings.denied:
            _put(inputs, sources, name, False, [f"denied:aggravating:{factor}"])
    return ScoreInputs(inputs, sources)


def _timi(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    _put(inputs, sources, "age", findings.age, ["age"])
    states = _factor_states(findings, "timi")
    settled = _settled_factors(states, 3)
    _put(inputs, sources, "risk_factor_count", None if settled is None else len(settled),
         _factor_sources(states))
    _put(inputs, sources, "known_cad", _any([_history(findings, i) for i in KNOWN_CAD]),
         _history_keys(findings, KNOWN_CAD))
    return ScoreInputs(inputs, sources)


def _heart_rate(inputs: dict[str, Any], sources: Sources,
                vitals: Mapping[str, float | None]) -> None:
    _put(inputs, sources, "heart_rate", vitals.get("hr"), ["vitals:hr"])


def _wells_pe(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    _put(inputs, sources, "dvt_signs", _symptom(findings, "leg_swelling"),
         _yes_no_keys(findings, "leg_swelling"))
    _heart_rate(inputs, sources, vitals)
    immobile = _any([_history(findings, "immobilization"), _history(findings, "recent_surgery")])
    _put(inputs, sources, "immobilization_or_surgery", immobile,
         _history_keys(findings, ("immobilization", "recent_surgery")))
    _put(inputs, sources, "prior_vte", _history(findings, "prior_vte"),
         _history_keys(findings, ("prior_vte",)))
    _put(inputs, sources, "hemoptysis", _symptom(findings, "hemoptysis"),
         _yes_no_keys(findings, "hemoptysis"))
    _put(inputs, sources, "malignancy", _history(findings, "malignancy"),
         _history_keys(findings, ("malignancy",)))
    return ScoreInputs(inputs, sources)


def _perc(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    _put(inputs, sources, "age", findings.age, ["age"])
    _heart_rate(inputs, sources, vitals)
    _put(inputs, sources, "spo2", vitals.get("spo2"), ["vitals:spo2"])

    swelling = _symptom(findings, "leg_swelling")
    if swelling is True:
        side = findings.leg_swelling_side
        swelling = True if side == "unilateral" else False if side == "bilateral" else None
    _put(inputs, sources, "unilateral_leg_swelling", swelling,
         _yes_no_keys(findings, "leg_swelling"))
    _put(inputs, sources, "hemoptysis", _symptom(findings, "hemoptysis"),
         _yes_no_keys(findings, "hemoptysis"))
    _put(inputs, sources, "recent_surgery_or_trauma", _history(findings, "recent_surgery"),
         _history_keys(findings, ("recent_surgery",)))
    _put(inputs, sources, "prior_vte", _history(findings, "prior_vte"),
         _history_keys(findings, ("prior_vte",)))
    _put(inputs, sources, "hormone_use", _history(findings, "hormone_use"),
         _history_keys(findings, ("hormone_use",)))
    return ScoreInputs(inputs, sources)


def _add_rs(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    """ADD-RS counts one point per category with any feature, so a category is given as soon
    as one of its features is present; a category with none stated stays missing."""
    inputs: dict[str, Any] = {}
    sources: Sources = {}

    conditions = []
    if "marfan_or_ctd" in findings.history:
        conditions.append(("marfan_or_ctd", "history:marfan_or_ctd"))
    if "aortic_aneurysm" in findings.history:
        # FIXME(mapping): ADD-RS counts a known thoracic aneurysm; the vocabulary does not yet
        # tell a thoracic from an abdominal one, so any aortic aneurysm counts here.
        conditions.append(("thoracic_aortic_aneurysm", "history:aortic_aneurysm"))
    pain = []
    if findings.onset == "sudden":
        pain.append(("abrupt_onset", "onset:sudden"))
    if "tearing" in findings.character:
        pain.append(("ripping_tearing", "character:tearing"))
    exam = []
    difference = arm_difference(vitals)
    if difference is not None and difference > 20:
        exam.append(("sbp_differential", "vitals:sbp_left"))
    systolic = _systolic(vitals)
    if systolic is not None and systolic < 90:
        exam.append(("hypotension_shock", "vitals:sbp"))

    for name, found in (("conditions", conditions), ("pain", pain), ("exam", exam)):
        if found:
            _put(inputs, sources, name, [item for item, _ in found], [key for _, key in found])
    return ScoreInputs(inputs, sources)


def _wells_dvt(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    _put(inputs, sources, "active_cancer", _history(findings, "malignancy"),
         _history_keys(findings, ("malignancy",)))
    bedridden = _any([_history(findings, "immobilization"), _history(findings, "recent_surgery")])
    _put(inputs, sources, "bedridden_or_surgery", bedridden,
         _history_keys(findings, ("immobilization", "recent_surgery")))
    _put(inputs, sources, "prior_dvt", _history(findings, "prior_vte"),
         _history_keys(findings, ("prior_vte",)))
    return ScoreInputs(inputs, sources)


def _age_only(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    """Padua and Caprini: the text gives the age; their factor lists need the doctor."""
    inputs: dict[str, Any] = {}
    sources: Sources = {}
    _put(inputs, sources, "age", findings.age, ["age"])
    return ScoreInputs(inputs, sources)


def _nothing(findings: Findings, vitals: Mapping[str, float | None]) -> ScoreInputs:
    """Killip and NYHA rest on examination findings the vocabulary does not hold."""
    return ScoreInputs({}, {})


MAPPERS = {
    "heart": _heart, "edacs": _edacs, "timi": _timi, "wells_pe": _wells_pe, "perc": _perc,
    "add_rs": _add_rs, "wells_dvt": _wells_dvt, "padua": _age_only, "caprini": _age_only,
    "killip": _nothing, "nyha": _nothing,
}


def score_inputs(name: str, findings: Findings,
                 vitals: Mapping[str, float | None]) -> ScoreInputs:
    """The inputs of score ``name``; a score without a mapper gets none (all missing)."""
    mapper = MAPPERS.get(name, _nothing)
    return mapper(findings, vitals)
