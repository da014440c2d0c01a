"""The voice guide: follows the session and says each new step's prompt.

States arrive on the session's threads; the newest one's speech is made on the guide's own
worker (a cache hit for fixed prompts, a short espeak-ng run for figures) and handed to the
player. A new utterance stops the one playing first, so a screen change cuts the old prompt
short. Speech is on when configured, in larger-text mode and in the accessible mode.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from ..session.states import State, Step
from .prompts import Speech, speech_for, static_texts
from .synth import SpeechCache, SpeechError

log = logging.getLogger(__name__)


class Player(Protocol):
    """Plays one WAV at a time (screens/voice_player.py on the kiosk)."""
    def play(self, path: Path, volume: float) -> None: ...
    def stop(self) -> None: ...


@dataclass(frozen=True)
class Said:
    """One utterance handed to the player: what tests and the "repeat" key look at."""
    at: float
    language: str
    texts: tuple[str, ...]
    path: Path


class VoiceGuide:
    def __init__(self, cache: SpeechCache, player: Player, *, enabled: bool = False,
                 volume: float = 0.8, languages: tuple[str, ...] = ("zh_CN", "en"),
                 now: Callable[[], float] = time.monotonic):
        self.cache = cache
        self.player = player
        self.enabled = enabled          # from config: speak for everyone
        self.volume = self.configured_volume = volume
        self.languages = languages
        self._now = now
        self._previous: Speech | None = None
        self._latest: State | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.said: list[Said] = []

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, warm_after_s: float | None = 5.0) -> None:
        """Start speaking; fixed prompts not cached yet are made `warm_after_s` later, in a
        thread of their own (after the first screen, so start-up is not slowed)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="voice-guide", daemon=True)
        self._thread.start()
        if warm_after_s is not None:
            threading.Thread(target=self._warm, args=(warm_after_s,), name="voice-warm",
                             daemon=True).start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.player.stop()

    # -- input -----------------------------------------------------------------------------
    def speaking_for(self, state: State) -> bool:
        return self.enabled or state.accessible or state.elderly

    def on_state(self, state: State) -> None:
        """Session listener (any thread): remember the newest state for the worker."""
        with self._wake:
            self._latest = state
            self._wake.notify_all()

    def set_volume(self, volume: float) -> None:
        self.volume = min(1.0, max(0.0, volume))

    def repeat(self) -> None:
        """Say the current state again ("repeat" in the accessible mode)."""
        with self._wake:
            self._previous = None
            self._wake.notify_all()

    # -- worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        last_seen: State | None = None
        while True:
            with self._wake:
                while not self._stopping and self._latest is last_seen and self._previous:
                    self._wake.wait()
                if self._stopping:
                    return
                state = last_seen = self._latest
            if state is not None:
                self._speak(state)
            else:
                with self._wake:
                    self._wake.wait(0.5)

    def _speak(self, state: State) -> None:
        if state.step == Step.ATTRACT:
            self.volume = self.configured_volume   # a customer's volume leaves with them
        if not self.speaking_for(state):
            if self._previous is not None:
                self.player.stop()
            self._previous = Speech((), state.language, ())
            return
        speech = speech_for(state, previous=self._previous)
        if speech is None:
            return
        self._previous = speech
        self.player.stop()
        try:
            path = self.cache.utterance(speech.language, speech.texts)
        except SpeechError as exc:
            log.warning("voice prompt for %s not made: %s", state.step, exc)
            return
        if self._latest is not state and self._latest is not None and \
                self._latest.step != state.step:
            return                     # the customer moved on while this was being made
        self.said.append(Said(self._now(), speech.language, speech.texts, path))
        del self.said[:-50]
        self.player.play(path, self.volume)

    def _warm(self, delay_s: float = 0.0) -> None:
        """Make every fixed prompt once, so a prompt never waits for synthesis later."""
        with self._wake:
            self._wake.wait_for(lambda: self._stopping, timeout=delay_s)
        if not self.cache.available():
            log.warning("voice guidance: %s is not installed; prompts stay silent",
                        self.cache.engine)
            return
        started = time.monotonic()
        made = 0
        try:
            for language in self.languages:
                for text in static_texts(language):
                    if self._stopping:
                        return
                    made += self.cache.warm(language, [text])
        except SpeechError as exc:
            log.warning("voice prompts not prepared: %s", exc)
            return
        log.info("voice prompts ready: %d made in %.1f s", made, time.monotonic() - started)
