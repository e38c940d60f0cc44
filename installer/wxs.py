"""Write the WiX source of the MSI from the staged payload and the template beside this file.

Every file is its own component whose GUID is derived from its path, so the same file keeps the
same component from build to build. The UpgradeCode never changes: it is how Windows Installer
knows that a new ED Sentinel replaces the old one.
"""

from __future__ import annotations

import hashlib
import string
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

UPGRADE_CODE = "9989907D-9CC2-4DA2-AA68-AA54FAB363FF"
_GUID_NAMESPACE = uuid.UUID("2e88aae2-cdd8-4337-9b31-eaa2783d190c")
TEMPLATE = Path(__file__).with_name("ed-sentinel.wxs.in")
INSTALLER_KEY = r"SOFTWARE\ED Sentinel"


@dataclass(frozen=True)
class MsiSetting:
    """A public property of the MSI and the setting (registry value name) it is written to."""

    property: str
    key: str


MSI_SETTINGS = (
    MsiSetting("INFERENCE_URL", "inference_urls"),
    MsiSetting("CA_BUNDLE", "ca_bundle"),
    MsiSetting("KB_SOURCE", "kb_source"),
    MsiSetting("KB_PUBLIC_KEY", "kb_public_key"),
    MsiSetting("ROLE", "role"),
    MsiSetting("VOSK_MODEL_DIR", "vosk_model_dir"),
    MsiSetting("LANGUAGE", "language"),
)

# Top-level payload folders that form optional features: folder -> (feature id, title).
OPTIONAL_FOLDERS = {"vosk-model": ("VoskModel", "Vosk speech model")}


def stable_guid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{name}")).upper()


def _ident(prefix: str, relative: str) -> str:
    # MSI identifiers: letters, digits, '_' and '.', at most 72 characters.
    return f"{prefix}_{hashlib.sha1(relative.encode('utf-8')).hexdigest()}"


def render_wxs(files: Iterable[str], version: str) -> str:
    """The WiX source installing `files` under INSTALLDIR.

    The files are POSIX paths relative to the payload folder, which wixl must run in.
    """
    features: dict[str, list[str]] = {"Application": []}
    tree: dict[str, list[str]] = {}
    for relative in sorted(files):
        folder = relative.rpartition("/")[0]
        tree.setdefault(folder, []).append(relative)
        top = relative.split("/", 1)[0]
        feature = OPTIONAL_FOLDERS.get(top, ("Application", ""))[0]
        features.setdefault(feature, []).append(_ident("c", relative))

    optional = [feature for feature, _ in OPTIONAL_FOLDERS.values() if feature in features]
    values = {
        "VERSION": version,
        "UPGRADE_CODE": UPGRADE_CODE,
        "SETTINGS_KEY_GUID": stable_guid("registry", "installer-key"),
        "SHORTCUT_GUID": stable_guid("shortcut", "panel"),
        "PROPERTIES": _properties(),
        "DIRECTORIES": _directory("", tree, indent=10),
        "SETTING_COMPONENTS": _setting_components("VoskModel" in optional),
        "SETTING_REFS": _refs(f"Setting_{s.property}" for s in MSI_SETTINGS),
        "APPLICATION_REFS": _refs(features["Application"]),
        "OPTIONAL_FEATURES": "\n".join(_optional_feature(f, features[f]) for f in optional),
    }
    return string.Template(TEMPLATE.read_text("utf-8")).substitute(values)


def _properties() -> str:
    lines = []
    for setting in MSI_SETTINGS:
        lines += [
            f'    <Property Id="{setting.property}">',
            f'      <RegistrySearch Id="Remembered_{setting.property}" Root="HKLM"',
            f'                      Key="{INSTALLER_KEY}" Name="{setting.key}" Type="raw"'
            ' Win64="yes"/>',
            "    </Property>",
        ]
    return "\n".join(lines)


def component_conditions(vosk_bundled: bool) -> dict[str, str]:
    """Component -> condition: each setting is written only when its property has a value.

    wixl cannot write Component/Condition, so installer/msi.py patches these in.
    """
    conditions = {f"Setting_{s.property}": s.property for s in MSI_SETTINGS}
    if vosk_bundled:
        # The bundled model is the default when IT names no other model folder.
        conditions["Setting_VoskBundled"] = "NOT VOSK_MODEL_DIR"
    return conditions


def _setting_components(vosk_bundled: bool) -> str:
    lines = []
    for setting in MSI_SETTINGS:
        lines.append(_registry_component(f"Setting_{setting.property}", setting.key,
                                         f"[{setting.property}]"))
    if vosk_bundled:
        lines.append(_registry_component("Setting_VoskBundled", "vosk_model_dir",
                                         "[INSTALLDIR]vosk-model"))
    return "\n".join(lines)


def _registry_component(component: str, name: str, value: str) -> str:
    guid = stable_guid("registry", component)
    return "\n".join([
        f'      <Component Id="{component}" Guid="{guid}" Win64="yes">',
        f'        <RegistryValue Root="HKLM" Key="{INSTALLER_KEY}" Name="{name}"',
        f'                       Type="string" Value="{value}" KeyPath="yes"/>',
        "      </Component>",
    ])


def _directory(folder: str, tree: dict[str, list[str]], indent: int) -> str:
    pad = " " * indent
    lines = []
    for relative in tree.get(folder, []):
        name = relative.rpartition("/")[2]
        lines += [
            f'{pad}<Component Id="{_ident("c", relative)}" '
            f'Guid="{stable_guid("file", relative)}" Win64="yes">',
            f'{pad}  <File Id="{_ident("f", relative)}" Name={quoteattr(name)} '
            f"Source={quoteattr(relative)} KeyPath=\"yes\"/>",
            f"{pad}</Component>",
        ]

    children = sorted({sub.split("/")[len(folder.split("/")) if folder else 0]
                       for sub in tree if _is_below(sub, folder)})
    for child in children:
        path = f"{folder}/{child}" if folder else child
        lines.append(f'{pad}<Directory Id="{_ident("d", path)}" Name={quoteattr(child)}>')
        lines.append(_directory(path, tree, indent + 2))
        lines.append(f"{pad}</Directory>")
    return "\n".join(line for line in lines if line)


def _is_below(sub: str, folder: str) -> bool:
    if not sub:
        return False
    return not folder or sub.startswith(folder + "/")


def _refs(component_ids: Iterable[str]) -> str:
    return "\n".join(f'      <ComponentRef Id="{component}"/>' for component in component_ids)


def _optional_feature(feature: str, components: list[str]) -> str:
    title = next(t for f, t in OPTIONAL_FOLDERS.values() if f == feature)
    extra = ['      <ComponentRef Id="Setting_VoskBundled"/>'] if feature == "VoskModel" else []
    return "\n".join([
        f'    <Feature Id="{feature}" Title="{title}" Level="1">',
        _refs(components),
        *extra,
        "    </Feature>",
    ])
