"""The Kivy camera preview, offscreen, fed by the real camera driver reading the emulated camera."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.barcode.camera import CameraReader
from drivers.barcode.camera_emulator import CameraEmulator

from .helpers import wait_for

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def window():
    from kivy.base import EventLoop
    from kivy.core.window import Window
    EventLoop.ensure_window()
    return Window


@pytest.fixture
def camera(tmp_path):
    emulator = CameraEmulator(tmp_path / "camera.avi", width=640, height=480, fps=30)
    emulator.start()
    reader = CameraReader("camera", str(tmp_path / "camera.avi"))
    reader.open()
    yield emulator, reader
    reader.close()
    emulator.stop()


def render(window):
    from kivy.base import EventLoop
    for _ in range(3):
        EventLoop.idle()


def test_preview_shows_frames_and_outlines_the_found_code(window, camera, tmp_path):
    from screens.widgets.camera_preview import CameraPreview
    emulator, reader = camera
    emulator.perform("present_code", "transfer_form")
    assert wait_for(lambda: reader.preview() is not None and reader.preview().outlines, 4)
    preview = CameraPreview(reader, size_hint=(None, None), size=(800, 480), pos=(0, 0))
    window.add_widget(preview)
    try:
        preview.start()
        assert preview.running
        assert wait_for(lambda: (render(window), preview.frames_shown >= 3
                                 and preview._outlines)[1], 4)
        render(window)
        path = tmp_path / "preview.png"
        preview.export_to_png(str(path))
    finally:
        preview.stop()
        window.remove_widget(preview)
    assert not preview.running
    shot = cv2.imread(str(path))
    assert shot.shape[:2] == (480, 800)
    # letterboxed: the 640x480 frame sits in the middle, black bars left and right
    assert shot[:, :60].max() < 20 and shot[:, -60:].max() < 20
    middle = shot[:, 80:720]
    assert middle.std() > 40  # the scene and the code, not an empty texture
    # the outline: bright green pixels around the code in the middle of the picture
    green = (shot[:, :, 1] > 200) & (shot[:, :, 0] < 130) & (shot[:, :, 2] < 80)
    ys, xs = np.nonzero(green)
    assert len(xs) > 200
    assert 200 < xs.mean() < 600 and 120 < ys.mean() < 360


def test_preview_without_frames_stays_empty_and_never_fails(window):
    from screens.widgets.camera_preview import CameraPreview

    class NoFrames:
        def preview(self):
            return None

    preview = CameraPreview(NoFrames(), size=(320, 240))
    preview.refresh()
    preview.refresh()
    assert preview.frames_shown == 0 and preview._texture is None
