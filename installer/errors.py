"""What can go wrong while building the MSI.

    InstallerError              any failure of `installer/build`
    ├── DownloadError           a download failed, or its sha256 is not the pinned one
    ├── SignatureError          a Windows binary's Authenticode signature does not verify
    ├── PayloadError            the payload breaks a rule: a Linux binary, a missing DLL...
    ├── ToolError               wixl, msibuild, uv or another tool failed or warned
    └── BadBuildInput           a build option is wrong (version, Vosk model folder)
"""

from __future__ import annotations


class InstallerError(Exception):
    """The MSI could not be built; the message says what to fix."""

    exit_code = 1


class DownloadError(InstallerError):
    """A file could not be fetched, or it is not the file we pinned."""


class SignatureError(InstallerError):
    """A binary that should carry a valid signature does not."""


class PayloadError(InstallerError):
    """The files to install break one of the payload's rules."""


class ToolError(InstallerError):
    """An external tool failed, or printed a warning we refuse to ignore."""


class BadBuildInput(InstallerError):
    """An option given to the build is wrong."""

    exit_code = 2
