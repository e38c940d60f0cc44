"""Where ED Sentinel keeps its state on a workstation.

One folder per user holds settings, the knowledge-base cache, the case journal, the audit log and
the logs: the platform's per-user data folder, or the folder named by `SENTINEL_HOME`.
"""

import os
from pathlib import Path

import platformdirs

HOME_ENV = "SENTINEL_HOME"
APP_NAME = "ED Sentinel"
APP_AUTHOR = "ED Sentinel"


def sentinel_home(environ: dict[str, str] | None = None) -> Path:
    """The data folder, created on first use."""
    env = os.environ if environ is None else environ
    chosen = env.get(HOME_ENV)
    if chosen:
        home = Path(chosen).expanduser()
    else:
        home = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


def sub_folder(name: str, environ: dict[str, str] | None = None) -> Path:
    """A named folder inside the data folder (kb, journal, audit, logs...), created on use."""
    folder = sentinel_home(environ) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
