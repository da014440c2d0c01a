"""Offline speech: espeak-ng writes each text to a WAV once; later plays read the cache.

The cache is keyed by engine, voice, speed and text (a SHA-256 file name), so a changed
translation or voice makes a new file and an old one is never played for new words. An
utterance of several texts is joined into one WAV (same rate and format: espeak-ng always
writes 22,050 Hz mono 16-bit), so the player plays and stops one file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

ENGINE = "espeak-ng"
# espeak-ng's voices for the kiosk's languages: Mandarin and English
VOICES = {"zh_CN": "cmn", "en": "en"}
SYNTH_TIMEOUT_S = 10.0


class SpeechError(Exception):
    """Speech could not be made (engine missing, voice missing, engine failed)."""


@dataclass(frozen=True)
class VoiceSettings:
    speed_wpm: int = 150       # espeak-ng -s; a little slower than its 175 default for the lobby
    pitch: int = 50
    voices: tuple[tuple[str, str], ...] = tuple(VOICES.items())

    def voice(self, language: str) -> str:
        return dict(self.voices).get(language, "en")


class SpeechCache:
    """Text -> cached WAV path. Thread-safe; synthesis runs in the caller's thread, so call it
    from a worker, never from the UI thread."""

    def __init__(self, folder: Path, settings: VoiceSettings = VoiceSettings(),
                 engine: str = ENGINE):
        self.folder = Path(folder)
        self.settings = settings
        self.engine = shutil.which(engine) or engine
        self._lock = threading.Lock()
        self.synthesised = 0   # files made (tests and the benchmark read it)

    def available(self) -> bool:
        return shutil.which(self.engine) is not None

    def path_for(self, language: str, text: str) -> Path:
        s = self.settings
        key = f"{ENGINE}|{s.voice(language)}|{s.speed_wpm}|{s.pitch}|{text}"
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"

    def cached(self, language: str, text: str) -> bool:
        return self.path_for(language, text).is_file()

    def wav(self, language: str, text: str) -> Path:
        """The WAV of `text` in `language`, made now if it is not in the cache."""
        path = self.path_for(language, text)
        if path.is_file():
            return path
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        args = [self.engine, "-v", self.settings.voice(language), "-s",
                str(self.settings.speed_wpm), "-p", str(self.settings.pitch), "-w", str(tmp),
                "--", text]
        try:
            result = subprocess.run(args, capture_output=True, timeout=SYNTH_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechError(f"{ENGINE} could not run: {exc}") from exc
        if result.returncode != 0 or not tmp.is_file():
            tmp.unlink(missing_ok=True)
            raise SpeechError(f"{ENGINE} failed ({result.returncode}): "
                              f"{result.stderr.decode(errors='replace').strip()[:200]}")
        os.replace(tmp, path)
        with self._lock:
            self.synthesised += 1
        return path

    def utterance(self, language: str, texts: Iterable[str]) -> Path:
        """One WAV saying every text in order, with a short pause between them."""
        texts = [t for t in texts if t]
        if len(texts) == 1:
            return self.wav(language, texts[0])
        joined = self.path_for(language, "\x1e".join(texts))
        if joined.is_file():
            return joined
        parts = [self.wav(language, t) for t in texts]
        tmp = joined.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with wave.open(str(tmp), "wb") as out:
            for index, part in enumerate(parts):
                with wave.open(str(part), "rb") as src:
                    if index == 0:
                        out.setparams(src.getparams())
                        pause = b"\x00" * (src.getframerate() // 4) * src.getsampwidth()
                    else:
                        out.writeframes(pause)
                    out.writeframes(src.readframes(src.getnframes()))
        os.replace(tmp, joined)
        return joined

    def warm(self, language: str, texts: Iterable[str]) -> int:
        """Synthesise what is not cached yet (at install or first start); returns files made."""
        made = 0
        for text in texts:
            if not self.cached(language, text):
                self.wav(language, text)
                made += 1
        return made
