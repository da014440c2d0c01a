"""A wheel built from this checkout and installed into a clean virtual environment outside it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import REPO_ROOT


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out),
                    str(REPO_ROOT)], check=True, capture_output=True, timeout=300)
    (found,) = out.glob("lobby_kiosk-*.whl")
    return found


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding only the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([venv / "bin" / "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True, timeout=600)
    return venv / "bin"
