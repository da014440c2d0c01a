"""The kiosk's release version: written once, in pyproject.toml, and read from the installed
package's metadata (a wheel and an editable install alike)."""
from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "lobby-kiosk"


def kiosk_version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"
