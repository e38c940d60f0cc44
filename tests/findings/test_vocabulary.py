"""The vocabulary file: complete for the contract's ids, Chinese labels everywhere, and a
malformed file refused with a message that names the entry."""

from __future__ import annotations

import pytest

from engine.findings import VocabularyError, vocabulary
from engine.findings.vocabulary import parse_vocabulary

CONTRACT = {
    "symptom": ["chest_pain", "chest_tightness", "dyspnea", "diaphoresis", "nausea", "vomiting",
                "syncope", "dizziness", "palpitations", "cough", "hemoptysis", "fever",
                "back_pain", "abdominal_pain", "leg_swelling", "orthopnea", "acid_reflux"],
    "onset": ["sudden", "gradual"],
    "course": ["persistent", "intermittent"],
    "character": ["pressure", "tearing", "stabbing", "burning", "dull"],
    "location": ["left_chest", "right_chest", "retrosternal", "precordial", "back", "epigastric"],
    "radiation": ["left_arm", "right_arm", "shoulder", "neck", "jaw", "back", "abdomen"],
    "aggravating": ["exertion", "inspiration", "palpation", "position", "meal"],
    "relieving": ["rest", "nitroglycerin", "sitting_forward", "antacid"],
    "history": ["hypertension", "diabetes", "hypercholesterolemia", "smoking",
                "family_history_cad", "obesity", "prior_mi", "prior_pci_cabg", "stroke_tia", "pad",
                "prior_vte", "malignancy", "marfan_or_ctd", "aortic_aneurysm", "copd",
                "recent_surgery", "immobilization", "hormone_use"],
}


@pytest.mark.parametrize("section", sorted(CONTRACT))
def test_every_contract_id_is_in_the_vocabulary(section: str) -> None:
    assert set(CONTRACT[section]) <= set(vocabulary().ids(section))


def test_every_term_has_a_chinese_label() -> None:
    for term in vocabulary().terms:
        assert any("\u4e00" <= char <= "\u9fff" for char in term.label), term.id
    assert vocabulary().labels()["symptom"]["chest_pain"] == "胸痛"


GOOD = """
[[symptom]]
id = "chest_pain"
label = "胸痛"
synonyms = ["胸痛"]
[family]
male = ["父亲"]
"""


@pytest.mark.parametrize(("raw", "message"), [
    (GOOD + "[extra]\n", "unknown sections extra"),
    (GOOD.replace('label = "胸痛"', 'label = "胸痛"\ncolour = 1'), "unknown keys colour"),
    (GOOD + '[[symptom]]\nid = "chest_pain"\nlabel = "x"\nsynonyms = ["y"]\n', "defined twice"),
    (GOOD.replace('synonyms = ["胸痛"]', "patterns = ['(']"), "bad regular expression"),
    (GOOD.replace('synonyms = ["胸痛"]', "patterns = ['%nope%']"), "unknown macro"),
    (GOOD.replace('id = "chest_pain"', 'id = "Chest Pain"'), "lower-case identifier"),
    (GOOD.replace('synonyms = ["胸痛"]', ""), "needs synonyms or patterns"),
    (GOOD + '[healthy]\nphrases = ["既往体健"]\ndenies = ["gout"]\n', "unknown history ids"),
    ("not = toml = at all", "not valid TOML"),
])
def test_malformed_vocabulary(raw: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=message):
        parse_vocabulary(raw)
