"""Voice guidance heard from the running app: SDL's disk audio driver writes what would have
reached the loudspeaker, and the test reads it back."""
from __future__ import annotations

import time

import pytest

from kiosk.i18n import translate
from kiosk.session.states import Step
from kiosk.voice.guide import VoiceGuide
from kiosk.voice.synth import SpeechCache
from tests.harness import Ear

pytestmark = pytest.mark.ui


@pytest.fixture
def voiced(ui, tmp_path):
    """The app speaking for every customer, with its own prompt cache."""
    from screens.voice_player import KivyPlayer
    old = ui.app.voice
    guide = VoiceGuide(SpeechCache(tmp_path / "voice"), KivyPlayer(), enabled=True)
    ui.app.detach()
    ui.app.voice = guide
    ui.app.attach()
    guide.start(warm_after_s=None)
    yield ui, guide
    guide.stop()
    ui.app.detach()
    ui.app.voice = old
    ui.app.attach()


def test_each_screen_speaks_and_a_new_screen_cuts_the_old_prompt(voiced):
    ui, guide = voiced
    player = guide.player
    ui.wait_step(Step.ATTRACT)
    ui.wait(lambda: player.played, "the attract prompt plays", timeout=15)
    ear = Ear()
    time.sleep(0.6)
    ui.pump()
    assert ear.loudest() > 1000, "nothing was heard from the attract prompt"
    ui.tap_msg("Start")                        # long before the attract prompt ends
    ui.wait_step(Step.MENU)
    ui.wait(lambda: len(player.played) >= 2, "the menu prompt plays", timeout=15)
    assert player.cut_short >= 1
    assert [s.texts[0] for s in guide.said[:2]] == [translate("zh_CN", "voice_attract"),
                                                     translate("zh_CN", "choose_service")]
    ui.tap_msg("service_lost_card")
    ui.wait_step(Step.IDENTIFY)
    ui.wait(lambda: len(guide.said) >= 3, "the identify prompt")
    assert guide.said[2].texts == (translate("zh_CN", "identify_idcard"),)
    ui.app.send("end")
    ui.wait(lambda: ui.session.state.step in (Step.GOODBYE, Step.RATING, Step.ATTRACT), "end")
    time.sleep(0.3)
    guide.player.stop()
    ui.pump(3)
    time.sleep(0.5)
    ear.loudest()                              # what was still buffered when it stopped
    time.sleep(0.4)
    assert ear.loudest() < 200, "a stopped prompt is still heard"


def test_larger_text_turns_the_voice_on_for_that_customer_only(ui, tmp_path):
    from screens.voice_player import KivyPlayer
    guide = VoiceGuide(SpeechCache(tmp_path / "voice"), KivyPlayer(), enabled=False)
    unsubscribe = ui.session.subscribe(guide.on_state)
    guide.start(warm_after_s=None)
    try:
        attract = ui.wait_step(Step.ATTRACT)
        time.sleep(0.3)
        assert guide.said == []                 # off by default
        ui.tap(attract.ids.elderly)
        ui.wait(lambda: guide.said, "larger text speaks", timeout=15)
        assert guide.said[-1].texts[0] == translate("zh_CN", "voice_attract")
    finally:
        unsubscribe()
        guide.stop()
