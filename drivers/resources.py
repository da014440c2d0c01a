"""Files shipped inside the packages (card profiles, people, the kiosk's catalogs and font),
found with importlib.resources so an installed wheel runs outside any checkout exactly as the
checkout does. pip installs wheels unpacked, so each is a real file with a filesystem path."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped(package: str, *parts: str) -> Path:
    """The path of a file or folder shipped inside `package`."""
    return Path(str(resources.files(package).joinpath(*parts)))
