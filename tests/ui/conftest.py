"""UI fixtures: one offscreen Kivy window for the whole process (Kivy allows one), the kiosk
app built once, and per test a fresh core (emulated devices, sandbox bank, temp folder, a
hand-moved clock) that the app renders. Widgets are touched through Kivy's own input path.
The driven kiosk itself (screens/tour/harness.py) is shared with `kiosk tour`."""
from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from kiosk.config import load_config
from screens.tour.harness import TECHNICIAN_PIN, close_app, open_app, write_config
from screens.tour.harness import DrivenKiosk as UiKiosk
from tests.harness import threads_left

__all__ = ["TECHNICIAN_PIN", "UiKiosk", "write_config"]

# What the app plays goes to a file (SDL's disk audio driver), where the voice tests hear it;
# set before Kivy opens the audio device, once for the process.
SDL_AUDIO_FILE = Path(tempfile.gettempdir()) / f"kiosk-ui-audio-{os.getpid()}.raw"
os.environ.setdefault("SDL_AUDIODRIVER", "disk")
os.environ.setdefault("SDL_DISKAUDIOFILE", str(SDL_AUDIO_FILE))


@pytest.fixture(scope="session")
def ui_app(tmp_path_factory) -> Iterator[Any]:
    """The kiosk app on the process's single offscreen window."""
    config = load_config(write_config(tmp_path_factory.mktemp("ui-app"), chipcard=False))
    app = open_app(config)
    yield app
    close_app(app)
    SDL_AUDIO_FILE.unlink(missing_ok=True)


@pytest.fixture
def ui(ui_app, tmp_path) -> Iterator[UiKiosk]:
    """The app on a core with the ID card reader and printer emulators (no chip card)."""
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=False)
    yield kiosk
    kiosk.stop()


@pytest.fixture
def card_ui(ui_app, tmp_path, pcscd) -> Iterator[UiKiosk]:
    """The app on a core with the chip card emulator as well (vpcd slot 01: slot 00 is for
    a kiosk someone runs by hand; pcscd tests run one at a time)."""
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=True)
    yield kiosk
    kiosk.emulator("chipcard").perform("remove_card")
    kiosk.stop()


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Devices, emulators and workers a test starts are gone when it ends."""
    before = {t.ident for t in threading.enumerate()}
    yield
    left = threads_left(("dev-", "session", "vpcd"), before)
    if left:
        pytest.fail(f"threads left running: {left}")
