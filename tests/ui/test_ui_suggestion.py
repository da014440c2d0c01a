"""A product suggestion has its own place: it shows only on a calm screen (the take-your-things
screen, once the service is done), never over another widget's text, in either language and in
larger text; on every other screen it takes no room and no touch."""
from __future__ import annotations

import pytest

from kiosk.session.states import State, Step
from screens.tour.harness import shown

pytestmark = pytest.mark.ui

SUGGESTIONS = ({"id": "deposit", "message_id": "suggest_deposit"},
               {"id": "mobile", "message_id": "suggest_mobile_banking"})
ITEMS = (["card"], ["receipt", "card"], ["ticket"], ["idcard"])


def box(widget) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def texts_under(app, banner) -> list[str]:
    """Every shown text outside the banner whose box meets the banner's, or that does not fit
    its own box."""
    from kivy.uix.label import Label
    own = {id(w) for w in banner.walk(restrict=True)}
    area = box(banner)
    found = []
    for widget in app.root.walk():
        if id(widget) in own or not isinstance(widget, Label) or not widget.text.strip() \
                or widget.width <= 1 or not shown(widget):
            continue
        if overlap(box(widget), area) > 1:
            found.append(f"{widget.text[:30]!r} under the suggestion")
        tw, th = widget.texture_size
        if tw > widget.width + 2 or th > widget.height + 2:
            found.append(f"{widget.text[:30]!r} clipped ({tw:.0f}x{th:.0f} in "
                         f"{widget.width:.0f}x{widget.height:.0f})")
    return found


def state(step: Step, language: str, elderly: bool, suggestion, **view) -> State:
    return State(step, seq=1, message_id="take_receipt_and_card" if step == Step.TAKE_ITEMS
                 else "", view=view, actions=("done",), language=language, elderly=elderly,
                 page_size=4 if elderly else 6, suggestion=suggestion)


def render(app, shown_state: State) -> None:
    from kivy.base import EventLoop
    app.show(shown_state)
    for _ in range(3):
        EventLoop.idle()


@pytest.mark.parametrize("language,elderly", [("zh_CN", False), ("en", False),
                                               ("zh_CN", True), ("en", True)])
def test_the_suggestion_covers_no_text_where_it_shows(ui_app, language, elderly):
    banner = ui_app.root.ids.suggestion
    found = {}
    try:
        for suggestion in SUGGESTIONS:
            for items in ITEMS:
                render(ui_app, state(Step.TAKE_ITEMS, language, elderly, suggestion,
                                     items=items))
                assert banner.height > 0 and shown(banner) and not banner.disabled
                text = [w.text for w in banner.walk(restrict=True) if getattr(w, "text", "")]
                assert any(len(t) > 10 for t in text), text    # the suggestion's own words
                problems = texts_under(ui_app, banner)
                manager = ui_app.root.manager
                if box(manager)[3] > box(banner)[1] + 1:
                    problems.append("the screen reaches under the suggestion")
                if problems:
                    found[f"{suggestion['id']} {items}"] = problems[:4]
    finally:
        render(ui_app, state(Step.ATTRACT, "zh_CN", False, None))
    assert not found, found


@pytest.mark.parametrize("elderly", [False, True])
def test_on_every_other_screen_the_suggestion_takes_no_room_and_no_touch(ui_app, elderly):
    banner = ui_app.root.ids.suggestion
    try:
        for step in Step:
            if step == Step.TAKE_ITEMS:
                continue
            render(ui_app, state(step, "zh_CN", elderly, SUGGESTIONS[0]))
            assert banner.height == 0 and not shown(banner) and banner.disabled, step
    finally:
        render(ui_app, state(Step.ATTRACT, "zh_CN", False, None))
