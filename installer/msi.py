"""Run wixl on the WiX source, then add with msibuild what wixl cannot write.

wixl 0.101 ignores Secure on properties and cannot write component conditions or type-51
custom actions, so after it the build patches the database:
- SecureCustomProperties lists every setting's property, so values given on the command line
  reach the elevated part of a per-machine install;
- each setting's registry component carries the condition "its property has a value";
- "remember the command line": the settings' RegistrySearch (AppSearch) would overwrite a value
  IT gives on the command line with the one the previous version stored. A type-51 action saves
  the command-line value before AppSearch and another puts it back after, in both sequences.
"""

from __future__ import annotations

import logging
from pathlib import Path

from installer.tools import run_tool
from installer.wxs import MSI_SETTINGS

log = logging.getLogger(__name__)

# Set by WiX's MajorUpgrade; they must stay secure beside ours.
UPGRADE_PROPERTIES = ("WIX_DOWNGRADE_DETECTED", "WIX_UPGRADE_DETECTED")
SET_PROPERTY_ACTION = 51  # custom action type: set a property from a formatted string
APP_SEARCH_SEQUENCE = 50
SEQUENCES = ("InstallUISequence", "InstallExecuteSequence")


def compile_msi(wxs: Path, payload_root: Path, out: Path) -> None:
    """wixl -a x64, with the payload folder as the current directory (Source paths)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    run_tool(["wixl", "-a", "x64", "-o", str(out.resolve()), str(wxs.resolve())],
             cwd=payload_root)


def patch_msi(msi: Path, conditions: dict[str, str]) -> None:
    """Apply the patches listed in the module docstring."""
    secure = [s.property for s in MSI_SETTINGS] + [f"CMDLINE_{s.property}" for s in MSI_SETTINGS]
    secure += UPGRADE_PROPERTIES
    queries = [
        "UPDATE Property SET Value = '{}' WHERE Property = 'SecureCustomProperties'".format(
            ";".join(secure)),
    ]
    for component, condition in conditions.items():
        queries.append(f"UPDATE Component SET Condition = '{_sql(condition)}' "
                       f"WHERE Component = '{component}'")

    for index, setting in enumerate(MSI_SETTINGS):
        name = setting.property
        save, restore = f"SaveCmdLine_{name}", f"RestoreCmdLine_{name}"
        queries += [
            "INSERT INTO CustomAction (Action, Type, Source, Target) "
            f"VALUES ('{save}', {SET_PROPERTY_ACTION}, 'CMDLINE_{name}', '[{name}]')",
            "INSERT INTO CustomAction (Action, Type, Source, Target) "
            f"VALUES ('{restore}', {SET_PROPERTY_ACTION}, '{name}', '[CMDLINE_{name}]')",
        ]
        for table in SEQUENCES:
            queries += [
                f"INSERT INTO {table} (Action, Condition, Sequence) "
                f"VALUES ('{save}', '{name}', {APP_SEARCH_SEQUENCE - 10 + index})",
                f"INSERT INTO {table} (Action, Condition, Sequence) "
                f"VALUES ('{restore}', 'CMDLINE_{name}', {APP_SEARCH_SEQUENCE + 1 + index})",
            ]

    # One msibuild run: each run rewrites the whole (large) database.
    command = ["msibuild", str(msi)]
    for query in queries:
        command += ["-q", query]
    run_tool(command)


def export_table(msi: Path, table: str) -> list[dict[str, str]]:
    """A table's rows as dicts, from `msiinfo export` (which prints CRLF)."""
    text = run_tool(["msiinfo", "export", str(msi), table], quiet_ok=False)
    lines = text.replace("\r\n", "\n").rstrip("\n").split("\n")
    columns = lines[0].split("\t")
    return [dict(zip(columns, line.split("\t"), strict=False)) for line in lines[3:]]


def summary(msi: Path) -> dict[str, str]:
    """The summary information stream: property id (as text) -> value."""
    return {row["PropertyId"]: row["Value"] for row in export_table(msi, "_SummaryInformation")}


def _sql(text: str) -> str:
    return text.replace("'", "''")
