"""Finding the Vosk model IT delivered, checking it is whole and of the right kind, loading it.

IT ships the model as a folder beside the installed app or on a share and names it in the
`vosk_model_dir` setting. When the setting is empty the usual places are searched for a folder
whose name starts with `vosk-model`. Before Vosk sees a folder it is checked file by file, so
the message says exactly what is missing instead of Vosk's "Failed to create a model".

Two layouts exist. Small models (vosk-model-small-cn-0.22) have a dynamic graph
(graph/HCLr.fst + graph/Gr.fst): they accept runtime word lists. Large models
(vosk-model-cn-0.22) have a static graph (graph/HCLG.fst + graph/words.txt): they do not.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.speech.errors import (
    ModelDamaged,
    ModelIncomplete,
    ModelMissing,
    ModelNotConfigured,
    NotAVoskModel,
)

log = logging.getLogger(__name__)

SETTING = "vosk_model_dir"
DEFAULT_RATE = 16000

# The messages, exactly; tests and the help pages quote them.
NOT_CONFIGURED = ("no Vosk model is set: put the folder IT delivered (for example "
                  "vosk-model-small-cn-0.22) in setting vosk_model_dir; searched: {searched}")
FOLDER_MISSING = ("Vosk model folder {folder} does not exist; check setting vosk_model_dir "
                  "and that the share is reachable")
IS_ARCHIVE = ("{folder} is an archive, not a folder: unzip it and set vosk_model_dir to the "
              "folder inside")
IS_FILE = "{folder} is a file; setting vosk_model_dir must name the model's folder"
NOT_A_MODEL = ("{folder} is not a Vosk model folder: it has none of am/final.mdl, "
               "conf/model.conf, graph/")
SPEAKER_MODEL = ("{folder} is a Vosk speaker-identification model, not a speech-recognition "
                 "model; ask IT for the recognition model (vosk-model-small-cn-0.22)")
INCOMPLETE = ("Vosk model in {folder} is incomplete: missing {missing}; copy the whole "
              "model folder again")
DAMAGED = "Vosk model in {folder} is damaged: {damaged}; copy the whole model folder again"
NO_GRAPH = ("graph/HCLr.fst with graph/Gr.fst (small model) or graph/HCLG.fst with "
            "graph/words.txt (large model)")
VOSK_REFUSED = ("Vosk could not load the model in {folder} (a file may be truncated or from "
                "another Vosk version); copy the whole model folder again")

REQUIRED = ("am/final.mdl", "conf/model.conf", "conf/mfcc.conf", "graph/phones/word_boundary.int")
DYNAMIC_GRAPH = ("graph/HCLr.fst", "graph/Gr.fst", "graph/disambig_tid.int")
STATIC_GRAPH = ("graph/HCLG.fst", "graph/words.txt")
IVECTOR = ("ivector/final.dubm", "ivector/final.ie", "ivector/final.mat",
           "ivector/global_cmvn.stats", "ivector/online_cmvn.conf", "ivector/splice.conf")
RESCORE = ("rescore/G.carpa", "rescore/G.fst")
_ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
_KALDI_BINARY = b"\x00B"
_FST_MAGIC = b"\xd6\xfd\xb2\x7e"
_LFS_POINTER = b"version https://git-lfs"


@dataclass(frozen=True)
class ModelInfo:
    """A checked model folder."""

    folder: Path
    dynamic_graph: bool   # small model: runtime word lists work
    sample_rate: int

    @property
    def kind(self) -> str:
        return "small (dynamic graph)" if self.dynamic_graph else "large (static graph)"


def default_search_places() -> list[Path]:
    """Where a model folder is looked for when the setting is empty, in order."""
    from engine.home import sentinel_home

    app = Path(sys.executable).parent  # the installed app folder (embedded Python)
    places = [sentinel_home() / "models", app / "models", app.parent / "models"]
    return list(dict.fromkeys(places))


def find_model_folder(configured: str, places: Sequence[Path] | None = None) -> Path:
    """The folder to use: the setting's value, else the first `vosk-model*` folder found."""
    if configured.strip():
        return Path(configured.strip()).expanduser()
    places = default_search_places() if places is None else list(places)
    for place in places:
        for candidate in _model_like_children(place):
            log.info("using Vosk model found at %s", candidate)
            return candidate
    searched = ", ".join(str(place) for place in places) or "nowhere"
    raise ModelNotConfigured(NOT_CONFIGURED.format(searched=searched))


def _model_like_children(place: Path) -> list[Path]:
    try:
        children = sorted(place.iterdir())
    except OSError:
        return []
    models = [child for child in children
              if child.is_dir() and child.name.lower().startswith("vosk-model")]
    # A Chinese model is what the hospital dictates with; prefer it when several are there.
    return sorted(models, key=lambda child: ("-cn" not in child.name.lower(), child.name))


def check_model_folder(folder: Path) -> ModelInfo:
    """The model's layout, or a ModelError saying exactly what is wrong with the folder."""
    folder = _resolve_nesting(_existing_folder(folder))
    _check_kind(folder)

    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    dynamic = all((folder / name).is_file() for name in DYNAMIC_GRAPH[:2])
    static = all((folder / name).is_file() for name in STATIC_GRAPH)
    if dynamic:
        missing += [name for name in DYNAMIC_GRAPH if not (folder / name).is_file()]
    elif not static:
        present = [name for name in DYNAMIC_GRAPH[:2] + STATIC_GRAPH if (folder / name).exists()]
        missing += _graph_missing(present)
    if (folder / "ivector").is_dir():
        missing += [name for name in IVECTOR if not (folder / name).is_file()]
    if (folder / "rescore").is_dir():
        missing += [name for name in RESCORE if not (folder / name).is_file()]
    if missing:
        raise ModelIncomplete(INCOMPLETE.format(folder=folder, missing=", ".join(missing)),
                              folder, tuple(missing))

    damaged = _damaged_files(folder, dynamic)
    if damaged:
        raise ModelDamaged(DAMAGED.format(folder=folder, damaged="; ".join(damaged)),
                           folder, tuple(damaged))
    return ModelInfo(folder, dynamic, _sample_rate(folder))


def _existing_folder(folder: Path) -> Path:
    if not folder.exists():
        raise ModelMissing(FOLDER_MISSING.format(folder=folder), folder)
    if folder.is_file():
        archive = any(folder.name.lower().endswith(suffix) for suffix in _ARCHIVES)
        raise NotAVoskModel((IS_ARCHIVE if archive else IS_FILE).format(folder=folder), folder)
    return folder


def _resolve_nesting(folder: Path) -> Path:
    """Unzipping often leaves the model one folder deeper (models/vosk-model-.../...)."""
    if (folder / "am").is_dir() or (folder / "conf").is_dir():
        return folder
    inner = [child for child in _children(folder)
             if (child / "am").is_dir() or (child / "conf").is_dir()]
    if len(inner) == 1:
        log.info("model folder %s holds the model one level down in %s", folder, inner[0].name)
        return inner[0]
    return folder


def _children(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _check_kind(folder: Path) -> None:
    if (folder / "final.ext.raw").is_file() and not (folder / "am").exists():
        raise NotAVoskModel(SPEAKER_MODEL.format(folder=folder), folder)
    markers = ("am/final.mdl", "conf/model.conf", "graph")
    if not any((folder / marker).exists() for marker in markers):
        raise NotAVoskModel(NOT_A_MODEL.format(folder=folder), folder)


def _graph_missing(present: Iterable[str]) -> list[str]:
    """Name the files of the layout the folder started to have, or both layouts if neither."""
    present = set(present)
    if present & set(DYNAMIC_GRAPH[:2]):
        return [name for name in DYNAMIC_GRAPH[:2] if name not in present]
    if present & set(STATIC_GRAPH):
        return [name for name in STATIC_GRAPH if name not in present]
    return [NO_GRAPH]


def _damaged_files(folder: Path, dynamic: bool) -> list[str]:
    expectations = {"am/final.mdl": _KALDI_BINARY, "ivector/final.ie": _KALDI_BINARY,
                    "ivector/final.dubm": _KALDI_BINARY}
    graph = ("graph/HCLr.fst", "graph/Gr.fst") if dynamic else ("graph/HCLG.fst",)
    expectations.update({name: _FST_MAGIC for name in graph})

    problems = []
    for name, magic in expectations.items():
        path = folder / name
        if not path.exists():
            continue
        with path.open("rb") as handle:
            head = handle.read(64)
        if not head:
            problems.append(f"{name} is empty")
        elif head.startswith(_LFS_POINTER):
            problems.append(f"{name} is a Git LFS pointer, not the file itself")
        elif not head.startswith(magic):
            problems.append(f"{name} is not a Kaldi file")
    for name in ("conf/model.conf", "conf/mfcc.conf"):
        if (folder / name).stat().st_size == 0:
            problems.append(f"{name} is empty")
    return problems


def _sample_rate(folder: Path) -> int:
    """The model's rate from conf/mfcc.conf (Kaldi's default is 16 kHz)."""
    for line in (folder / "conf" / "mfcc.conf").read_text("utf-8", errors="replace").splitlines():
        key, _, value = line.strip().partition("=")
        if key == "--sample-frequency":
            try:
                return int(float(value))
            except ValueError:
                break
    return DEFAULT_RATE


class SpeechModel:
    """A loaded Vosk model (about 2 s and 0.5 GB for a small model): load once, share it."""

    def __init__(self, info: ModelInfo) -> None:
        import vosk

        vosk.SetLogLevel(-1)  # Vosk's own chatter would go to stderr, not our log
        self.info = info
        try:
            self._model = vosk.Model(str(info.folder))
        except Exception as exc:  # noqa: BLE001 - vosk raises a bare Exception on any failure
            raise ModelDamaged(VOSK_REFUSED.format(folder=info.folder), info.folder,
                               (str(exc),)) from None
        log.info("loaded Vosk model %s (%s, %d Hz)", info.folder.name, info.kind,
                 info.sample_rate)

    @classmethod
    def load(cls, folder: Path) -> SpeechModel:
        return cls(check_model_folder(folder))

    @property
    def vosk_model(self) -> object:
        return self._model

    @property
    def sample_rate(self) -> int:
        return self.info.sample_rate

    @property
    def supports_word_list(self) -> bool:
        return self.info.dynamic_graph

    def has_word(self, word: str) -> bool:
        """Whether the model's vocabulary holds `word` (one entry, no spaces)."""
        return bool(word) and int(self._model.vosk_model_find_word(word)) >= 0
