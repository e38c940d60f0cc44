"""The public surface: names, the input contract other modules map findings onto, sources."""

from __future__ import annotations

import re

import pytest

from engine import scores
from engine.scores import registry
from engine.scores.inputs import Choice, Subset

# The input names of every score, exactly as the scores issue fixes them (a contract).
CONTRACT = {
    "heart": ["history", "ecg", "age", "risk_factors", "atherosclerotic_disease",
              "troponin_ratio"],
    "edacs": ["age", "sex", "known_cad", "risk_factor_count", "diaphoresis", "radiation",
              "pain_on_inspiration", "reproducible_by_palpation", "new_ischemia",
              "troponin_0h_2h_negative"],
    "timi": ["age", "risk_factor_count", "known_cad", "aspirin_7d", "severe_angina_24h",
             "st_deviation", "positive_marker"],
    "wells_pe": ["dvt_signs", "pe_most_likely", "heart_rate", "immobilization_or_surgery",
                 "prior_vte", "hemoptysis", "malignancy"],
    "perc": ["age", "heart_rate", "spo2", "unilateral_leg_swelling", "hemoptysis",
             "recent_surgery_or_trauma", "prior_vte", "hormone_use"],
    "add_rs": ["conditions", "pain", "exam", "d_dimer_ng_ml_feu"],
    "wells_dvt": ["active_cancer", "bedridden_or_surgery", "calf_swelling_3cm",
                  "collateral_veins", "entire_leg_swollen", "localized_tenderness",
                  "pitting_edema", "paralysis_or_cast", "prior_dvt",
                  "alternative_diagnosis_likely"],
    "padua": ["age", "factors"],
    "caprini": ["age", "factors"],
    "killip": ["rales", "s3_gallop", "jugular_venous_distension", "cardiogenic_shock"],
    "nyha": ["symptoms_at_rest", "exertion_limit"],
}

# The choices of every enum and list input the issue names.
CHOICES = {
    ("heart", "history"): {"slight", "moderate", "high"},
    ("heart", "ecg"): {"normal", "nonspecific", "st_deviation"},
    ("heart", "risk_factors"): {"hypertension", "hypercholesterolemia", "diabetes", "smoking",
                                "family_history", "obesity"},
    ("edacs", "sex"): {"male", "female"},
    ("add_rs", "conditions"): {"marfan_or_ctd", "family_history_aortic", "aortic_valve_disease",
                               "recent_aortic_manipulation", "thoracic_aortic_aneurysm"},
    ("add_rs", "pain"): {"abrupt_onset", "severe_intensity", "ripping_tearing"},
    ("add_rs", "exam"): {"pulse_deficit", "sbp_differential", "focal_neuro_deficit",
                         "aortic_regurgitation_murmur", "hypotension_shock"},
    ("padua", "factors"): {"active_cancer", "previous_vte", "reduced_mobility", "thrombophilia",
                           "recent_trauma_or_surgery", "heart_or_respiratory_failure",
                           "acute_mi_or_stroke", "acute_infection_or_rheumatologic", "obesity",
                           "hormonal_treatment"},
}

CAPRINI_AT_LEAST = {
    "minor_surgery", "major_surgery_history_1m", "varicose_veins", "ibd", "swollen_legs",
    "bmi_over_25", "acute_mi", "chf_1m", "sepsis_1m", "lung_disease_1m", "copd",
    "bed_rest_medical", "oc_or_hrt", "pregnancy_postpartum", "pregnancy_loss_history",
    "arthroscopic_surgery", "malignancy", "major_surgery_45min", "laparoscopic_45min",
    "bed_confined_72h", "plaster_cast", "central_venous_access", "history_vte",
    "family_history_vte", "factor_v_leiden", "prothrombin_20210a", "lupus_anticoagulant",
    "anticardiolipin", "homocysteine", "hit", "other_thrombophilia", "arthroplasty",
    "hip_pelvis_leg_fracture", "stroke_1m", "multiple_trauma", "spinal_cord_injury",
}


def test_names_are_the_eleven_scores() -> None:
    assert scores.names() == list(CONTRACT)


@pytest.mark.parametrize("name", list(CONTRACT))
def test_input_names_keep_the_contract(name: str) -> None:
    assert scores.input_names(name) == CONTRACT[name]


@pytest.mark.parametrize(("score", "field"), list(CHOICES))
def test_choices_keep_the_contract(score: str, field: str) -> None:
    spec = next(s for s in registry.get(score).accepted() if s.name == field)
    assert isinstance(spec, Choice | Subset)
    assert set(spec.options) == CHOICES[(score, field)]


def test_caprini_has_every_listed_factor() -> None:
    spec = registry.get("caprini").inputs[1]
    assert isinstance(spec, Subset)
    assert set(spec.options) >= CAPRINI_AT_LEAST


@pytest.mark.parametrize("name", list(CONTRACT))
def test_every_score_cites_its_source_and_has_a_version(name: str) -> None:
    assert re.search(r"(19|20)\d\d", scores.citation(name))
    assert re.fullmatch(r"\d{4}\.\d+", scores.version(name))
    assert scores.title(name)
    result = scores.compute(name, {}).to_dict()
    assert result["citation"] == scores.citation(name)
    assert result["version"] == scores.version(name)


@pytest.mark.parametrize("name", list(CONTRACT))
def test_every_input_has_a_chinese_question(name: str) -> None:
    for spec in registry.get(name).accepted():
        assert re.search(r"[\u4e00-\u9fff]", spec.question), spec.name


def test_public_surface_is_declared() -> None:
    for symbol in scores.__all__:
        assert hasattr(scores, symbol), symbol


def test_an_unknown_score_is_named_in_the_error() -> None:
    with pytest.raises(scores.UnknownScore, match=r"'hert' is not a score.*heart"):
        scores.input_names("hert")
