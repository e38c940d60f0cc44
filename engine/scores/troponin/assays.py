"""Assay-specific cut-offs of the ESC 0h/1h and 0h/2h hs-troponin algorithms, in ng/L.

Source: Collet JP, Thiele H, Barbato E, et al. 2020 ESC Guidelines for the management of acute
coronary syndromes in patients presenting without persistent ST-segment elevation. Eur Heart J
2021;42(14):1289-1367, Table 5 (assay-specific cut-off levels in ng/L within the 0h/1h and
0h/2h algorithms).

For each assay and protocol, five numbers (the columns of Table 5):
- `very_low`: a 0h value below it rules out on its own, if chest pain began > 3 h before;
- `low` and `no_delta`: 0h below `low` with an absolute change below `no_delta` rules out;
- `high`: a 0h value at or above it rules in;
- `delta`: an absolute change at or above it rules in.
Table 5 lists the 0h/2h columns as "to be determined" for Clarity, Vitros, Pathfast and
TriageTrue, so those assays answer "not validated" on 0h/2h, as do the `other_*` ids a hospital
picks for an assay Table 5 does not list.

FIXME(scores): the 0h/1h rows were checked against two independent transcriptions of Table 5;
the 0h/2h rows were transcribed without a second copy at hand. Re-check them against the
guideline's PDF before clinical release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

CITATION = ("Collet JP, Thiele H, Barbato E, et al. 2020 ESC Guidelines for the management of "
            "acute coronary syndromes in patients presenting without persistent ST-segment "
            "elevation. Eur Heart J 2021;42(14):1289-1367, Table 5.")

# When the second sample of each protocol is due, after the 0h draw.
PROTOCOLS: dict[str, timedelta] = {"0h1h": timedelta(hours=1), "0h2h": timedelta(hours=2)}


@dataclass(frozen=True)
class Cutoffs:
    very_low: float
    low: float
    no_delta: float
    high: float
    delta: float


@dataclass(frozen=True)
class Assay:
    id: str
    label: str
    # The marker's short name, as the reminder says it ("请于 14:35 复查 hs-cTnT").
    marker: str
    cutoffs: dict[str, Cutoffs]

    def validated(self, protocol: str) -> Cutoffs | None:
        return self.cutoffs.get(protocol)


ASSAYS: dict[str, Assay] = {assay.id: assay for assay in (
    Assay("roche_hs_ctnt", "hs-cTnT (Elecsys; Roche)", "hs-cTnT", {
        "0h1h": Cutoffs(very_low=5, low=12, no_delta=3, high=52, delta=5),
        "0h2h": Cutoffs(very_low=5, low=14, no_delta=4, high=52, delta=10),
    }),
    Assay("abbott_architect_hs_ctni", "hs-cTnI (Architect; Abbott)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=4, low=5, no_delta=2, high=64, delta=6),
        "0h2h": Cutoffs(very_low=4, low=6, no_delta=2, high=64, delta=15),
    }),
    Assay("siemens_centaur_hs_ctni", "hs-cTnI (Centaur; Siemens)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=3, low=6, no_delta=3, high=120, delta=12),
        "0h2h": Cutoffs(very_low=3, low=8, no_delta=7, high=120, delta=20),
    }),
    Assay("beckman_access_hs_ctni", "hs-cTnI (Access; Beckman Coulter)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=4, low=5, no_delta=4, high=50, delta=15),
        "0h2h": Cutoffs(very_low=4, low=5, no_delta=5, high=50, delta=20),
    }),
    Assay("singulex_clarity_hs_ctni", "hs-cTnI (Clarity; Singulex)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=1, low=2, no_delta=1, high=30, delta=6),
    }),
    Assay("ortho_vitros_hs_ctni", "hs-cTnI (Vitros; Ortho Clinical Diagnostics)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=1, low=2, no_delta=1, high=40, delta=4),
    }),
    Assay("lsi_pathfast_hs_ctni", "hs-cTnI (Pathfast; LSI Medience)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=3, low=4, no_delta=3, high=90, delta=20),
    }),
    Assay("quidel_triagetrue_hs_ctni", "hs-cTnI (TriageTrue; Quidel)", "hs-cTnI", {
        "0h1h": Cutoffs(very_low=4, low=5, no_delta=3, high=60, delta=8),
    }),
    Assay("other_hs_ctni", "其他 hs-cTnI（ESC 表 5 未列出）", "hs-cTnI", {}),
    Assay("other_hs_ctnt", "其他 hs-cTnT（ESC 表 5 未列出）", "hs-cTnT", {}),
)}
