"""Findings: what a doctor's words say, with the words that say it, and what follows from them.

    assess(text, template=None, vitals=None, now=None) -> Assessment   (.to_dict(): the JSON
        of `sentinel assess`: findings, scores, questions, red_flags, risk_level)
    extract(text) -> Findings                                          (the rules alone)
    rescore(assessment, findings) -> Assessment      (again, from merged findings)
    vocabulary() -> Vocabulary                                          (ids, labels, words)

Rules first: nothing here calls a language model. `engine.findings.merge` folds a model's
extraction into the rules' findings, keeping only what the text's own words support.
"""

from engine.findings.assess import MAX_TEXT_CHARS, Assessment, assess, check_vitals, rescore
from engine.findings.errors import (
    FindingsError,
    InvalidFindingsInput,
    InvalidText,
    InvalidVitals,
    UnknownTemplateId,
    VocabularyError,
)
from engine.findings.extractor import extract
from engine.findings.model import VITAL_KEYS, Findings
from engine.findings.vocabulary import Vocabulary, vocabulary

__all__ = [
    "MAX_TEXT_CHARS",
    "VITAL_KEYS",
    "Assessment",
    "Findings",
    "FindingsError",
    "InvalidFindingsInput",
    "InvalidText",
    "InvalidVitals",
    "UnknownTemplateId",
    "Vocabulary",
    "VocabularyError",
    "assess",
    "check_vitals",
    "extract",
    "rescore",
    "vocabulary",
]
