"""Typed settings and where their values come from.

A setting's value is the first found of: policy (set by IT; on Windows the policy registry key,
elsewhere a JSON file), the user's own choice (`settings.json` in the data folder), the value the
installer wrote, and the built-in default. The user can never override a policy value.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.errors import BadInput
from engine.home import sentinel_home

log = logging.getLogger(__name__)

POLICY_KEY = r"SOFTWARE\Policies\ED Sentinel"
INSTALLER_KEY = r"SOFTWARE\ED Sentinel"
POLICY_FILE_ENV = "SENTINEL_POLICY_FILE"
INSTALLER_FILE_ENV = "SENTINEL_INSTALLER_FILE"
DEFAULT_POLICY_FILE = Path("/etc/ed-sentinel/policy.json")
DEFAULT_INSTALLER_FILE = Path("/etc/ed-sentinel/installer.json")


class SettingError(BadInput):
    """A setting's name or value is wrong."""


class PolicyLocked(SettingError):
    """The user tried to change a setting that IT fixed by policy."""


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise TypeError("expected a list of strings or a ';'-separated string")


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no"):
        return value.lower() in ("1", "true", "yes", "on")
    raise TypeError("expected true or false")


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("expected a whole number")
    try:
        return int(value)
    except ValueError:
        raise ValueError("expected a whole number") from None


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "str": lambda value: value if isinstance(value, str) else _raise_str(),
    "list": _as_list,
    "bool": _as_bool,
    "int": _as_int,
    "float": float,
}


def _raise_str() -> str:
    raise TypeError("expected text")


@dataclass(frozen=True)
class Setting:
    """One setting: its type, default, limits and a one-line description for help screens."""

    key: str
    kind: str
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def convert(self, value: Any) -> Any:
        """The value in this setting's type, or SettingError naming the setting."""
        try:
            converted = _CONVERTERS[self.kind](value)
        except (TypeError, ValueError) as exc:
            raise SettingError(f"setting {self.key}: {exc} (got {value!r})") from None
        if self.choices and converted not in self.choices:
            allowed = ", ".join(self.choices)
            raise SettingError(f"setting {self.key}: {converted!r} is not one of {allowed}")
        if self.minimum is not None and converted < self.minimum:
            raise SettingError(f"setting {self.key}: {converted} is below {self.minimum}")
        if self.maximum is not None and converted > self.maximum:
            raise SettingError(f"setting {self.key}: {converted} is above {self.maximum}")
        return converted


_ALL = [
    Setting("inference_urls", "list", [], "Inference box base URLs, tried in order"),
    Setting("ca_bundle", "str", "", "CA bundle (PEM) for the box's TLS; empty = system CAs"),
    Setting("tls_verify", "bool", True, "Verify the box's TLS certificate"),
    Setting("tls_insecure_hosts", "list", [], "Hosts IT exempts from TLS verification"),
    Setting("dialect", "str", "auto", "Structured-output dialect of the box",
            choices=("auto", "llama_cpp", "openai")),
    Setting("model", "str", "", "Model name sent to the box; empty = the box's first model"),
    Setting("reasoning_mode", "str", "skip", "How reasoning models are run",
            choices=("skip", "two_phase")),
    Setting("reasoning_budget_tokens", "int", 512, "Token budget of the reasoning phase",
            minimum=16, maximum=32768),
    Setting("max_draft_tokens", "int", 1536, "Most tokens a draft may take",
            minimum=64, maximum=32768),
    Setting("temperature", "float", 0.2, "Sampling temperature of the model's answers",
            minimum=0, maximum=2),
    Setting("connect_timeout_s", "float", 3.0, "Seconds to wait for a connection",
            minimum=0.1, maximum=120),
    Setting("read_timeout_s", "float", 120.0, "Seconds to wait for the box's next bytes",
            minimum=1, maximum=3600),
    Setting("retries", "int", 2, "Retries on connection errors, 429 and 503",
            minimum=0, maximum=10),
    Setting("engine", "str", "auto", "Drafting engine: rules only, the model, or auto",
            choices=("auto", "rules", "model")),
    Setting("kb_source", "str", "", "Where knowledge-base bundles are pulled from"),
    Setting("kb_public_key", "str", "", "ed25519 public key (hex) that signs KB bundles"),
    Setting("kb_embedder", "str", "auto", "Embedder of the knowledge base",
            choices=("auto", "box", "local", "none")),
    Setting("kb_embedding_model", "str", "", "Embedding model on the box; empty = the first"),
    Setting("role", "str", "clinician", "This workstation's role (decides readable KB levels)",
            choices=("clinician", "department_lead", "kb_editor", "admin")),
    Setting("department", "str", "急诊科", "The department this workstation belongs to"),
    Setting("vosk_model_dir", "str", "", "Folder of the Vosk model used for dictation"),
    Setting("vosk_words_file", "str", "", "Department word list for dictation"),
    Setting("microphone", "str", "", "Audio input device; empty = system default"),
    Setting("language", "str", "zh_CN", "Interface language", choices=("zh_CN", "en")),
    Setting("troponin_protocol", "str", "0h1h", "ESC hs-troponin protocol",
            choices=("0h1h", "0h2h")),
    Setting("troponin_assay", "str", "roche_hs_ctnt", "hs-troponin assay of this hospital"),
    Setting("retention_hours", "float", 24.0, "Hours after the last change before purging",
            minimum=0.1, maximum=24 * 90),
    Setting("dock_side", "str", "right", "Screen edge the panel docks to",
            choices=("left", "right")),
    Setting("always_on_top", "bool", True, "Keep the panel above the HIS window"),
]

SETTINGS: dict[str, Setting] = {setting.key: setting for setting in _ALL}


class Source(Protocol):
    """Somewhere settings' values can be read from."""

    name: str

    def read(self) -> Mapping[str, Any]: ...


class JsonSource:
    """Settings in a JSON object file; a missing file holds nothing."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = path

    def read(self) -> Mapping[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SettingError(
                f"{self.name} settings in {self.path} are not JSON: {exc}"
            ) from None
        if not isinstance(data, dict):
            raise SettingError(f"{self.name} settings in {self.path} must be a JSON object")
        return data

    def write(self, values: Mapping[str, Any]) -> None:
        """Replace the file atomically, so a crash never leaves half a settings file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(dict(values), ensure_ascii=False, indent=2), "utf-8")
        os.replace(partial, self.path)


class RegistrySource:
    """Values under a Windows registry key (HKLM, then HKCU for policy)."""

    def __init__(self, name: str, key: str) -> None:
        self.name = name
        self.key = key

    def read(self) -> Mapping[str, Any]:
        if sys.platform != "win32":
            return {}
        import winreg

        values: dict[str, Any] = {}
        for hive in (winreg.HKEY_CURRENT_USER, winreg.HKEY_LOCAL_MACHINE):
            try:
                handle = winreg.OpenKey(hive, self.key)
            except OSError:
                continue
            with handle:
                index = 0
                while True:
                    try:
                        value_name, data, _ = winreg.EnumValue(handle, index)
                    except OSError:
                        break
                    values[value_name.lower()] = data
                    index += 1
        return values


def default_sources(home: Path | None = None) -> tuple[Source, JsonSource, Source]:
    """Policy, user and installer sources for this platform."""
    home = sentinel_home() if home is None else home
    user = JsonSource("user", home / "settings.json")
    if sys.platform == "win32":
        return RegistrySource("policy", POLICY_KEY), user, RegistrySource("installer",
                                                                          INSTALLER_KEY)
    policy_path = Path(os.environ.get(POLICY_FILE_ENV) or DEFAULT_POLICY_FILE)
    installer_path = Path(os.environ.get(INSTALLER_FILE_ENV) or DEFAULT_INSTALLER_FILE)
    return JsonSource("policy", policy_path), user, JsonSource("installer", installer_path)


class Settings:
    """Resolved settings: policy, then the user's choice, then the installer's, then default."""

    def __init__(self, policy: Source, user: JsonSource, installer: Source) -> None:
        self._policy = policy
        self._user = user
        self._installer = installer

    @classmethod
    def load(cls, home: Path | None = None) -> Settings:
        return cls(*default_sources(home))

    def get(self, key: str) -> Any:
        return self.resolve(key)[0]

    def origin(self, key: str) -> str:
        """Which source the value comes from: policy, user, installer or default."""
        return self.resolve(key)[1]

    def resolve(self, key: str) -> tuple[Any, str]:
        setting = _known(key)
        for source in (self._policy, self._user, self._installer):
            values = source.read()
            if key in values:
                try:
                    return setting.convert(values[key]), source.name
                except SettingError as exc:
                    # A bad value in one place must not stop the app: fall through, loudly.
                    log.warning("ignoring %s value: %s", source.name, exc)
        return setting.default, "default"

    def is_locked(self, key: str) -> bool:
        _known(key)
        return key in self._policy.read()

    def set_user(self, key: str, value: Any) -> None:
        """Store the user's own choice; refused when policy fixes the setting."""
        setting = _known(key)
        if self.is_locked(key):
            raise PolicyLocked(f"setting {key} is fixed by your hospital's policy; ask IT")
        values = dict(self._user.read())
        values[key] = setting.convert(value)
        self._user.write(values)

    def clear_user(self, key: str) -> None:
        _known(key)
        values = dict(self._user.read())
        values.pop(key, None)
        self._user.write(values)

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SETTINGS}


def _known(key: str) -> Setting:
    try:
        return SETTINGS[key]
    except KeyError:
        raise SettingError(f"unknown setting {key!r}; known: {', '.join(SETTINGS)}") from None
