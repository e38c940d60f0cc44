"""Build ED Sentinel's per-machine x64 MSI on Linux: `installer/build` (see README.md).

Nothing in the app imports this package; it reads the source tree and pyproject.toml.
"""
