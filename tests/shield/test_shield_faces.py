"""Faces on real photographs (public-domain portraits in drivers/barcode/people), alone and in
lobby scenes: the customer alone, someone close behind, someone far across the lobby."""
from __future__ import annotations

import numpy as np
import pytest

from drivers.barcode.faces import FaceCounter, FaceModelError
from drivers.barcode.people_scenes import portrait, scene
from kiosk.session.states import State, Step
from kiosk.shield import OnlookerShield


@pytest.fixture(scope="module")
def counter():
    return FaceCounter()


@pytest.mark.parametrize("name", ["hopper", "astronaut"])
def test_one_real_face_is_one_face(counter, name):
    assert counter.onlookers(portrait(name)) == (1, 0)


@pytest.mark.parametrize("kind, expected", [("nobody", (0, 0)), ("customer", (1, 0)),
                                            ("onlooker", (2, 1))])
def test_lobby_scenes(counter, kind, expected):
    assert counter.onlookers(scene(kind)) == expected


def test_a_face_far_behind_is_not_an_onlooker(counter):
    assert counter.onlookers(scene("far_behind"))[1] == 0


def test_a_missing_cascade_says_what_to_install(tmp_path):
    with pytest.raises(FaceModelError, match="opencv-data"):
        FaceCounter(tmp_path / "none.xml")


class Session:
    def __init__(self):
        self.sent = []

    def send(self, action, **args):
        self.sent.append((action, args))


def test_the_shield_rises_on_two_checks_and_falls_when_the_customer_is_alone(counter):
    session, frames = Session(), [scene("onlooker")]
    shield = OnlookerShield(session.send, lambda: frames[0], counter.onlookers)
    shield.on_state(State(Step.PIN))
    shield.check()
    assert session.sent == []                                 # one frame is not enough
    shield.check()
    assert session.sent == [("onlooker", {"present": True, "faces": 2})]
    frames[0] = scene("customer")
    shield.check()
    shield.check()
    assert session.sent[-1] == ("onlooker", {"present": False, "faces": 1})
    frames[0] = scene("onlooker")
    shield.check()
    shield.check()
    shield.on_state(State(Step.MENU))                         # the PIN pad is gone
    assert session.sent[-1] == ("onlooker", {"present": False, "faces": 0})
    count = len(session.sent)
    shield.check()
    shield.check()
    assert len(session.sent) == count                         # not looking off the PIN pad


def test_no_frame_no_decision(counter):
    session = Session()
    shield = OnlookerShield(session.send, lambda: None, counter.onlookers)
    shield.on_state(State(Step.PIN))
    for _ in range(3):
        shield.check()
    assert session.sent == [] and shield.checks == 0


def test_a_blank_frame_has_no_face(counter):
    assert counter.onlookers(np.zeros((720, 1280, 3), np.uint8)) == (0, 0)
