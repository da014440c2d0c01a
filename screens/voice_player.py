"""Plays the voice guide's WAVs through Kivy's audio (SDL2 mixer), on the UI thread."""
from __future__ import annotations

import logging
from pathlib import Path

from kivy.clock import Clock
from kivy.core.audio import SoundLoader

log = logging.getLogger(__name__)


class KivyPlayer:
    """One prompt at a time: `play` replaces whatever is playing; both may be called from any
    thread (the guide's worker) and run in order on the UI thread."""

    def __init__(self) -> None:
        self._sound = None
        self.played: list[Path] = []     # what was started, in order (tests read it)
        self.cut_short = 0               # prompts stopped before their end

    def play(self, path: Path, volume: float) -> None:
        Clock.schedule_once(lambda _dt: self._play(Path(path), volume), -1)

    def stop(self) -> None:
        Clock.schedule_once(lambda _dt: self._stop(), -1)

    def _play(self, path: Path, volume: float) -> None:
        self._stop()
        sound = SoundLoader.load(str(path))
        if sound is None:
            log.warning("voice prompt %s could not be loaded", path.name)
            return
        sound.volume = volume
        sound.play()
        self._sound = sound
        self.played.append(path)

    def _stop(self) -> None:
        sound, self._sound = self._sound, None
        if sound is not None:
            if sound.state == "play":
                self.cut_short += 1
            sound.stop()
            sound.unload()
