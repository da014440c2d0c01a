"""What the production profile takes away: every way out of the app and every tool a passer-by
could reach. Escape and the window's close request (Alt-F4, a window manager's close button)
are refused, Kivy's settings (F1) and its debugging modules (the inspector) never open, the
simulator (F12) does not exist, the mouse cursor is hidden and the screen never blanks.
"""
from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

ESCAPE, F1, F12 = 27, 282, 293


def lock_kivy_config() -> None:
    """Before the window exists: what Kivy reads from its configuration at start."""
    from kivy.config import Config
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("graphics", "show_cursor", "0")
    Config.set("graphics", "allow_screensaver", "0")
    # modules such as the inspector (Ctrl-E) or the console load from this section
    for name in Config.options("modules"):
        Config.remove_option("modules", name)


class Lockdown:
    def __init__(self) -> None:
        self.window: Any = None

    def attach(self, window: Any) -> None:
        from kivy.core.window import WindowBase
        WindowBase.on_keyboard.exit_on_escape = False
        window.show_cursor = False
        window.allow_screensaver = False
        window.bind(on_request_close=self._refuse_close, on_keyboard=self._swallow_keys)
        self.window = window

    def detach(self) -> None:
        if self.window is not None:
            self.window.unbind(on_request_close=self._refuse_close,
                               on_keyboard=self._swallow_keys)
            self.window = None

    @staticmethod
    def _refuse_close(_window: Any, *args: Any, **kwargs: Any) -> bool:
        log.warning("refused a request to close the kiosk window (%s)",
                    kwargs.get("source", "window manager"))
        return True

    @staticmethod
    def _swallow_keys(_window: Any, key: int, *_args: Any) -> bool:
        return key in (ESCAPE, F1, F12)
