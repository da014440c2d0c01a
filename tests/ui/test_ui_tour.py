"""Every customer state of the tour, in both languages and elderly mode, fits the window:
nothing drawn outside it, no text larger than its box, touch targets finger-sized; and the
tour writes its PNGs and a contact sheet."""
from __future__ import annotations

import pytest
from PIL import Image

from screens.tour import contact_sheet, render_tour, tour_states

pytestmark = pytest.mark.ui


def layout_problems(app) -> list[str]:
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.label import Label
    problems = []
    manager = app.root.manager
    mx, my = manager.to_window(manager.x, manager.y)
    screen_area = set(id(w) for w in manager.current_screen.walk())
    for widget in app.root.walk():
        if widget.width <= 1 or widget.height <= 1 or not _shown(widget):
            continue
        x, y = widget.to_window(widget.x, widget.y)
        name = f"{type(widget).__name__} {getattr(widget, 'text', '')[:30]!r}"
        # a screen's content stays in the screen's area (below the header), all else in
        # the window
        left, bottom, right, top = (mx, my, mx + manager.width, my + manager.height) \
            if id(widget) in screen_area else (0, 0, Window.width, Window.height)
        if x < left - 1 or y < bottom - 1 or x + widget.width > right + 1 \
                or y + widget.height > top + 1:
            problems.append(f"{name} outside its area at {x:.0f},{y:.0f}")
        parent = widget.parent
        if isinstance(parent, (BoxLayout, GridLayout)) and parent.width > 1:
            px, py = parent.to_window(parent.x, parent.y)
            if x < px - 1 or y < py - 1 or x + widget.width > px + parent.width + 1 \
                    or y + widget.height > py + parent.height + 1:
                problems.append(f"{name} sticks out of its {type(parent).__name__}")
        if isinstance(widget, Label) and widget.text and widget.texture is not None:
            tw, th = widget.texture_size
            if tw > widget.width + 2 or th > widget.height + 2:
                problems.append(f"{name} text {tw:.0f}x{th:.0f} in a {widget.width:.0f}x"
                                f"{widget.height:.0f} box")
        if isinstance(widget, ButtonBehavior) and not widget.disabled \
                and type(widget).__name__ != "SimulatorHandle" \
                and min(widget.width, widget.height) < 64:
            problems.append(f"{name} is a {widget.width:.0f}x{widget.height:.0f} target")
    return problems


def _shown(widget) -> bool:
    while widget is not None and widget is not widget.parent:
        if widget.opacity == 0:
            return False
        widget = widget.parent
    return True


@pytest.mark.parametrize("language,elderly", [("zh_CN", False), ("en", False),
                                               ("zh_CN", True), ("en", True)])
def test_every_tour_state_fits_the_window(ui_app, language, elderly):
    from kivy.base import EventLoop
    found = {}
    for stem, state in tour_states(language, elderly):
        ui_app.show(state)
        EventLoop.idle()
        EventLoop.idle()
        problems = layout_problems(ui_app)
        if problems:
            found[stem] = problems[:3]
    assert not found, found


def test_tour_writes_pngs_and_a_contact_sheet(ui_app, tmp_path):
    states = [s for s in tour_states("zh_CN") if s[0] in ("attract", "pin", "ticket_issued")]
    written = render_tour(ui_app, tmp_path, states, frames=2)
    assert [p.name for p in written] == ["attract.png", "pin.png", "ticket_issued.png"]
    shot = Image.open(written[0])
    assert shot.size == (ui_app.kiosk_config.ui.width, ui_app.kiosk_config.ui.height)
    assert len(shot.convert("L").getcolors(1 << 16)) > 20          # real rendering, not blank
    sheet = Image.open(contact_sheet(written, tmp_path / "contact_sheet.png", columns=2))
    assert sheet.width > 2 * 400 and sheet.height > 2 * 250
