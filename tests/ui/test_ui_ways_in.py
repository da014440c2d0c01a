"""The attract screen invites only the ways in that work: a card reader a technician marked out
of service, or one that is not serving, is not offered ("insert card" is not shown); the ID
card, queue ticket (and the appointment code with a camera) still are. The table of services
is kiosk.device_conditions SERVICES."""
from __future__ import annotations

import pytest

from kiosk.session.states import Step
from screens.tour.runner import screenshot

from .test_ui_technician import type_pin
from .conftest import TECHNICIAN_PIN

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]


def ways_shown(ui, attract) -> list[str]:
    """The ways in the attract screen shows (visible, with their translated text)."""
    return [way for way in ("card", "idcard", "qr", "ticket")
            if ui._shown(attract.ids[f"way_{way}"]) and attract.ids[f"way_{way}"].width > 1
            and attract.ids[f"way_{way}"].text in ui.visible_texts()]


def test_card_reader_out_of_service_is_not_offered_on_the_attract_screen(card_ui, tmp_path):
    ui = card_ui
    attract = ui.wait_step(Step.ATTRACT)
    ui.pump(2)
    assert ui.session.state.view["ways_in"] == ["card", "idcard", "ticket"]
    assert ways_shown(ui, attract) == ["card", "idcard", "ticket"]
    assert "银行卡" in ui.visible_texts() and ui.tr("You can begin with") in ui.visible_texts()
    screenshot(tmp_path / "attract-all.png")

    # the technician takes the card reader out of service, from the attract screen
    ui.long_press(ui.hidden_corner(), 3.5)
    screen = ui.wait_step(Step.TECHNICIAN)
    type_pin(ui, screen, TECHNICIAN_PIN)
    ui.wait(lambda: ui.session.state.view.get("phase") == "open", "technician panels")
    ui.pump(3)
    ui.tap("Devices 设备")
    ui.pump(2)
    ui.tap(screen.ids.service_chipcard)
    ui.wait(lambda: ui.session.state.view.get("out_of_service") == ["chipcard"], "reader out")
    ui.tap(screen.ids.exit_button)
    ui.wait_step(Step.GOODBYE)
    ui.advance(6)
    attract = ui.wait_step(Step.ATTRACT)
    ui.pump(2)
    assert ui.session.state.view["ways_in"] == ["idcard", "ticket"]
    assert ways_shown(ui, attract) == ["idcard", "ticket"]
    assert "银行卡" not in ui.visible_texts()
    assert {"身份证", "排队号"} <= set(ui.visible_texts())
    screenshot(tmp_path / "attract-no-card.png")

    # a reader that stops serving while the attract screen shows goes from it, and comes back
    ui.emulator("idcard").perform("unplug")
    ui.wait(lambda: ui.session.state.view.get("ways_in") == ["ticket"], "ID reader gone")
    ui.pump(2)
    assert ways_shown(ui, attract) == ["ticket"]
    ui.emulator("idcard").perform("replug")
    ui.wait(lambda: ui.session.state.view.get("ways_in") == ["idcard", "ticket"],
            "ID reader back", timeout=15)
    ui.pump(2)
    assert ways_shown(ui, attract) == ["idcard", "ticket"]
    assert ui.session.state.step == Step.ATTRACT
