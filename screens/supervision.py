"""The app under systemd: READY=1 once the attract screen has reached the display, and the
watchdog pinged from the UI clock, so a UI thread that freezes stops the pings and systemd
restarts the kiosk (a ping from any other thread would keep a frozen screen alive)."""
from __future__ import annotations

from kivy.clock import Clock

from kiosk.systemd import ServiceNotifier


class Supervision:
    def __init__(self, notifier: ServiceNotifier):
        self.notifier = notifier
        self.ready = False
        self._waiting = False
        self._pinger = None

    def attract_shown(self) -> None:
        """The attract screen is in the window: ready is sent after the frame that shows it."""
        if self.ready or self._waiting or not self.notifier.address:
            return
        from kivy.core.window import Window
        self._waiting = True
        Window.bind(on_flip=self._drawn)
        Window.canvas.ask_update()  # a frame is drawn even if nothing else changes

    def _drawn(self, window, *_args) -> None:
        window.unbind(on_flip=self._drawn)
        self._waiting = False
        self.ready = True
        self.notifier.ready("attract screen shown")
        interval = self.notifier.ping_interval_s
        if interval:
            self.notifier.ping()
            self._pinger = Clock.schedule_interval(lambda _dt: self.notifier.ping(), interval)

    def stop(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
            self._pinger = None
        if self.ready:
            self.ready = False
            self.notifier.stopping()
