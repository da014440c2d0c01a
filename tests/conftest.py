"""Suite-wide settings and fixtures: Kivy renders offscreen and never reads argv or writes
logs/config; one pcscd serves every chip card test."""
import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ.setdefault("KIVY_NO_CONFIG", "1")
os.environ.setdefault("KIVY_HOME", os.path.join(os.path.dirname(__file__), "..", "var", "kivy-home"))


@pytest.fixture(autouse=True)
def _umask_kept():
    """`kiosk` commands set umask 077 for the process; other tests keep the machine's."""
    mask = os.umask(0o022)
    os.umask(mask)
    yield
    os.umask(mask)


@pytest.fixture(scope="session")
def pcscd():
    """The machine's pcscd (with vsmartcard-vpcd), started if it is not running."""
    from drivers.chipcard.pcscd import ensure_pcscd
    ensure_pcscd()


@pytest.fixture
def memory_bound():
    """Fuzz tests: bound.example() checks one input's memory (8 MiB here: every parser's input
    is small, so more means a declared length was believed)."""
    import tracemalloc

    from tests.harness import MemoryBound
    tracemalloc.start()
    try:
        yield MemoryBound(8 << 20)
    finally:
        tracemalloc.stop()
