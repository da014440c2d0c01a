"""The appointment-code way to identify: the customer sees the emulated camera, mirrored, with
the frame to hold the code in; a found code is outlined; a code of another kind is named."""
from __future__ import annotations

import pytest

from kiosk.session.states import Step

from .conftest import UiKiosk


@pytest.fixture
def ui_camera(ui_app, tmp_path):
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=False, camera=True)
    yield kiosk
    kiosk.stop()


def test_qr_identify_shows_the_mirrored_camera_and_names_a_code_of_the_wrong_kind(ui_camera):
    ui = ui_camera
    screen = ui.begin("service_ticket")
    assert "qr" in ui.session.state.view["methods"]
    preview = screen.ids.qr_method.ids.preview
    ui.wait(lambda: (ui.pump(), preview.running and preview.frames_shown >= 3)[1],
            "camera frames on the identify screen")
    assert preview.mirror and preview.guide
    assert all(line.points for line in preview._guide)      # the four corners of the frame
    us = preview._picture.tex_coords[0::2]
    assert us[0] > us[1]                                     # left and right swapped
    assert ui.tr("Hold the code inside the frame") in ui.visible_texts()

    ui.emulator("camera").perform("present_code", "foreign_qr")   # a web link, no appointment
    ui.wait(lambda: ui.session.state.view.get("code_problem") == "qr_wrong_kind",
            "the wrong kind of code named", timeout=10)
    assert ui.session.state.step == Step.IDENTIFY            # still watching for the right one
    ui.wait(lambda: (ui.pump(), bool(preview._lines))[1], "the found code outlined")
    ui.pump(2)
    assert ui.tr("qr_wrong_kind") in ui.visible_texts()

    ui.tap_msg("Back")
    ui.wait_step(Step.MENU)
    ui.pump(2)
    assert not preview.running                               # the camera is not shown on
