"""Running the external tools of the build (wixl, msibuild, msiinfo, uv)."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from installer.errors import ToolError

log = logging.getLogger(__name__)


def run_tool(command: list[str], cwd: Path | None = None, quiet_ok: bool = True,
             env: Mapping[str, str] | None = None) -> str:
    """Run a tool and return its stdout.

    Any failure stops the build, and so does any stderr output when `quiet_ok`: wixl reports
    the attributes it drops only as warnings, and a dropped attribute is a broken package.
    """
    log.debug("running %s", " ".join(command))
    environment = dict(os.environ if env is None else env, LC_ALL="C.UTF-8")
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                              env=environment, check=False)
    except FileNotFoundError:
        raise ToolError(f"{command[0]} is not installed; see scripts/apt-packages.txt "
                        "(wixl, msitools) or the dev extra (uv)") from None
    stderr = done.stderr.strip()
    if done.returncode != 0:
        raise ToolError(f"{command[0]} failed (exit {done.returncode}): {stderr[-2000:]}")
    if stderr and quiet_ok:
        raise ToolError(f"{command[0]} warned, refusing to go on: {stderr[-2000:]}")
    return done.stdout
