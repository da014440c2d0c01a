"""The production profile's lock-down, on the real offscreen window: no key or request leaves
the app (Escape, Alt-F4's close request), Kivy's settings (F1) and modules (the inspector) never
open, no simulator (F12), no mouse cursor, no screen blanking; Kivy's folder is in the data
folder, never ~/.kivy."""
from __future__ import annotations

from dataclasses import replace

import pytest

from screens.lockdown import ESCAPE, F1, F12


@pytest.fixture
def production(ui_app):
    config = ui_app.kiosk_config
    locked = replace(config, kiosk=replace(config.kiosk, profile="production"),
                     ui=replace(config.ui, simulator_panel=True, show_cursor=True))
    ui_app.kiosk_config = locked
    yield ui_app
    ui_app.kiosk_config = config


@pytest.fixture
def locked_window(production):
    from kivy.core.window import Window, WindowBase
    before = (Window.show_cursor, Window.allow_screensaver, WindowBase.on_keyboard.exit_on_escape)
    production.lockdown.attach(Window)
    yield Window
    production.lockdown.detach()
    Window.show_cursor, Window.allow_screensaver = before[:2]
    WindowBase.on_keyboard.exit_on_escape = before[2]


def test_escape_and_close_requests_do_not_leave_the_app(locked_window):
    from kivy.base import EventLoop
    from kivy.core.window import WindowBase
    status = EventLoop.status
    WindowBase.on_keyboard.exit_on_escape = True      # even if Kivy were told to exit on Escape
    assert locked_window.dispatch("on_keyboard", ESCAPE, 41, None, []) is True
    assert locked_window.dispatch("on_request_close", source="keyboard") is True   # Alt-F4
    assert locked_window.dispatch("on_request_close") is True     # the window manager's close
    EventLoop.idle()
    assert not EventLoop.quit and EventLoop.status == status


def test_settings_and_simulator_keys_open_nothing(production, locked_window):
    production.simulator_enabled = production._simulator_allowed(devices=object())
    assert production.simulator_enabled is False
    before = list(locked_window.children)
    production._on_keyboard_settings(locked_window, F1, 58, None, [])   # Kivy's own F1 handler
    assert production.open_settings() is False and production._app_settings is None
    for key in (F1, F12):
        assert locked_window.dispatch("on_keyboard", key, 0, None, []) is True
    assert production._on_key_down(locked_window, F12, 0, None, []) is True
    assert production.open_simulator() is None
    assert not [w for w in locked_window.children if w not in before]


def test_no_cursor_no_blanking_no_modules(locked_window):
    from kivy.config import Config
    from screens.app import configure_kivy
    assert locked_window.show_cursor is False and locked_window.allow_screensaver is False
    Config.set("modules", "inspector", "")               # as a config.ini could ask
    saved = {(s, k): Config.get(s, k) for s, k in (("graphics", "show_cursor"),
                                                     ("graphics", "allow_screensaver"))}
    try:
        from kiosk.config import UiSection
        configure_kivy(UiSection(show_cursor=True), locked=True)
        assert Config.get("graphics", "show_cursor") == "0"
        assert Config.get("graphics", "allow_screensaver") == "0"
        assert Config.get("kivy", "exit_on_escape") == "0"
        assert Config.options("modules") == []
    finally:
        for (section, key), value in saved.items():
            Config.set(section, key, value)


def test_development_profile_keeps_its_tools(ui_app):
    assert not ui_app.locked
    assert ui_app._simulator_allowed(devices=object()) == ui_app.kiosk_config.emulated
