"""Offline speech through the real espeak-ng: made once, cached by voice and text, joined."""
from __future__ import annotations

import wave

import pytest

from kiosk.voice.synth import SpeechCache, SpeechError, VoiceSettings


def frames(path) -> int:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getnframes()


def test_a_prompt_is_made_once_and_then_read_from_the_cache(tmp_path):
    cache = SpeechCache(tmp_path / "voice")
    first = cache.wav("zh_CN", "请插入银行卡。")
    assert frames(first) > 22050 // 2                      # at least half a second of speech
    assert cache.synthesised == 1
    assert cache.wav("zh_CN", "请插入银行卡。") == first and cache.synthesised == 1
    other_voice = cache.wav("en", "请插入银行卡。")
    slower = SpeechCache(tmp_path / "voice", VoiceSettings(speed_wpm=100)).wav("zh_CN", "请插入银行卡。")
    assert len({first, other_voice, slower}) == 3
    assert frames(slower) > frames(first)
    assert (tmp_path / "voice").stat().st_mode & 0o777 == 0o700


def test_an_utterance_joins_its_texts_with_a_pause(tmp_path):
    cache = SpeechCache(tmp_path)
    a, b = cache.wav("en", "Please insert your card."), cache.wav("en", "Amount 12 yuan.")
    joined = cache.utterance("en", ["Please insert your card.", "Amount 12 yuan."])
    assert frames(joined) == frames(a) + frames(b) + 22050 // 4
    assert cache.utterance("en", ["Please insert your card.", "Amount 12 yuan."]) == joined


def test_warm_makes_only_what_is_missing(tmp_path):
    cache = SpeechCache(tmp_path)
    assert cache.warm("en", ["One.", "Two."]) == 2
    assert cache.warm("en", ["One.", "Two.", "Three."]) == 1


def test_a_missing_engine_is_a_speech_error(tmp_path):
    cache = SpeechCache(tmp_path, engine="/nonexistent/espeak-ng")
    assert not cache.available()
    with pytest.raises(SpeechError):
        cache.wav("en", "Hello.")
