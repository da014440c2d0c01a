"""The numbered choices the accessible mode reads out and its pad shows."""
from __future__ import annotations

from kiosk.session.states import State, Step
from kiosk.voice.choices import choices

OPTIONS = [{"id": f"s{n}", "message_id": f"service_{n}"} for n in range(4)]


def test_a_middle_menu_page_offers_both_pages_and_the_way_out():
    state = State(Step.MENU, view={"options": OPTIONS, "page": 2, "pages": 3},
                  actions=("choose", "page"))   # "end" is always accepted
    listed = choices(state)
    assert [c.label for c in listed] == [o["message_id"] for o in OPTIONS] + \
        ["More services", "Previous", "Finish"]
    assert listed[4].args == {"page": 3} and listed[5].args == {"page": 1}


def test_only_what_the_step_accepts_now_is_offered_and_never_more_than_nine():
    many = [{"id": f"s{n}", "message_id": f"service_{n}"} for n in range(12)]
    state = State(Step.MENU, view={"options": many, "page": 1, "pages": 1}, actions=("choose",))
    listed = choices(state)
    assert len(listed) == 9 and {c.action for c in listed} == {"choose"}
    assert [c.label for c in choices(State(Step.TICKET_ISSUED, actions=()))] == []  # not now
