"""Fixtures of the MSI tests: two real builds per session (an older and a newer version).

Both builds run `installer/build` as IT would, with the download cache outside the repository
(SENTINEL_MSI_CACHE or ~/.cache/ed-sentinel/msi), so only the first run on a machine downloads.
The newer build also carries a Vosk model folder, to test the optional feature.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from installer.build_msi import REPO, msi_name, project_version

BUILD_TIMEOUT_S = 1200


@dataclass(frozen=True)
class Built:
    """One MSI made by installer/build, with the files written beside it."""

    version: str
    msi: Path
    manifest: Path
    report: dict

    @property
    def product_code(self) -> str:
        from installer.msi import export_table

        rows = export_table(self.msi, "Property")
        return next(row["Value"] for row in rows if row["Property"] == "ProductCode")


def newer_version(version: str) -> str:
    major, minor, build = (int(part) for part in version.split("."))
    return f"{major}.{minor}.{build + 1}"


def make_vosk_model(folder: Path) -> Path:
    """A folder with the layout of a Vosk model: the installer treats its files as opaque data,
    so their content is irrelevant here (recognition is tested with the real model elsewhere)."""
    for relative, text in {
        "am/final.mdl": "acoustic model",
        "conf/mfcc.conf": "--use-energy=false\n",
        "conf/model.conf": "--min-active=200\n",
        "graph/phones.txt": "<eps> 0\n",
        "README": "layout-only model for the installer tests\n",
    }.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return folder


def run_build(version: str, out: Path, work: Path, *extra: str) -> Built:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("SENTINEL_") or key == "SENTINEL_MSI_CACHE"}
    done = subprocess.run(
        [str(REPO / "installer" / "build"), "--version", version, "--out", str(out),
         "--work", str(work), *extra],
        capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, env=environment, check=False,
    )
    assert done.returncode == 0, f"installer/build failed:\n{done.stdout}\n{done.stderr}"
    msi = out / msi_name(version)
    report = json.loads(msi.with_suffix(".json").read_text("utf-8"))
    return Built(version=version, msi=msi, manifest=msi.with_suffix(".sha256"), report=report)


@pytest.fixture(scope="session")
def built_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Built]:
    """(older, newer): the project's version, and the next build number with a Vosk model."""
    root = tmp_path_factory.mktemp("msi")
    older_version = project_version()
    older = run_build(older_version, root / "dist", root / "work-older")
    model = make_vosk_model(root / "vosk-model-layout")
    newer = run_build(newer_version(older_version), root / "dist", root / "work-newer",
                      "--vosk-model", str(model))
    return older, newer


@pytest.fixture(scope="session")
def older_msi(built_pair: tuple[Built, Built]) -> Built:
    return built_pair[0]


@pytest.fixture(scope="session")
def newer_msi(built_pair: tuple[Built, Built]) -> Built:
    return built_pair[1]


@pytest.fixture(scope="session")
def extracted(older_msi: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The older MSI unpacked by msiextract: the install folder's content."""
    target = tmp_path_factory.mktemp("extracted")
    subprocess.run(["msiextract", "-C", str(target), str(older_msi.msi)], check=True,
                   capture_output=True, timeout=600)
    return target / "ED Sentinel"
