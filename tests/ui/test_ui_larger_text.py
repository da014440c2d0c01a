"""Larger text shows the same content as normal text, laid out for it: every text of these
screens in normal size is there in larger text and not clipped, words are not broken in two,
identification icons do not shrink and the header's buttons grow."""
from __future__ import annotations

import pytest

from kiosk.session.states import State, Step
from screens.tour.harness import shown

pytestmark = pytest.mark.ui

ITEMS = [
    {"posted_at": "2026-11-25T10:12:00", "description": "工资", "amount_fen": 1_250_000,
     "balance_fen": 5_234_000, "counterparty_masked": ""},
    {"posted_at": "2026-11-20T09:05:00", "description": "转账", "amount_fen": -200_000,
     "balance_fen": 4_016_650, "counterparty_masked": "625965*********0025"},
    {"posted_at": "2026-11-18T12:30:00", "description": "水电费", "amount_fen": -18_420,
     "balance_fen": 4_216_650, "counterparty_masked": ""},
]
SCREENS = {
    "transactions": (Step.TRANSACTIONS, "", dict(
        ranges=["7_days", "30_days", "90_days", "365_days"], range="30_days",
        date_from="2026-10-30", date_to="2026-11-28", items=ITEMS, page=1, pages=3, total=14)),
    "statement_preview": (Step.STATEMENT_PREVIEW, "statement_preview", dict(
        account_masked="622202*********0018", date_from="2026-10-01", date_to="2026-10-31",
        opening_fen=3_902_000, closing_fen=4_235_070, line_count=23, lines=ITEMS)),
    "pin": (Step.PIN, "enter_pin", dict(
        keys=[7, 2, 9, 0, 4, 1, 8, 5, 3, 6], entered=3, masked="●●●", tries_left=3,
        min_length=6, max_length=6, problem="")),
    "rating": (Step.RATING, "rate_service", dict(scale=[1, 2, 3, 4, 5])),
    "identify": (Step.IDENTIFY, "identify_optional", dict(methods=["card", "idcard"],
                                                          purpose="ticket")),
    "payee_entry": (Step.PAYEE_ENTRY, "enter_payee", dict(
        account_number="6259650000000000025", name="测试乙", problem="",
        account_length={"min": 10, "max": 25}, name_length={"min": 1, "max": 30})),
}


def render(app, name: str, language: str, elderly: bool) -> None:
    from kivy.base import EventLoop
    step, message_id, view = SCREENS[name]
    app.show(State(step, seq=1, message_id=message_id, view=view, actions=("back",),
                   language=language, elderly=elderly, page_size=4 if elderly else 6))
    for _ in range(3):
        EventLoop.idle()


def labels(app) -> list:
    from kivy.uix.label import Label
    return [w for w in app.root.walk() if isinstance(w, Label) and w.text.strip()
            and w.width > 1 and shown(w)]


def clipped(app) -> list[str]:
    """Shown texts larger than their box or outside the window."""
    from kivy.core.window import Window
    found = []
    for label in labels(app):
        tw, th = label.texture_size
        x, y = label.to_window(label.x, label.y)
        if tw > label.width + 2 or th > label.height + 2:
            found.append(f"{label.text[:30]!r} {tw:.0f}x{th:.0f} in {label.width:.0f}x"
                         f"{label.height:.0f}")
        elif y < -1 or y + label.height > Window.height + 1 or x < -1 \
                or x + label.width > Window.width + 1:
            found.append(f"{label.text[:30]!r} outside the window")
    return found


@pytest.fixture
def app(ui_app):
    yield ui_app
    render(ui_app, "rating", "zh_CN", False)
    ui_app.show(State(Step.ATTRACT, seq=1, language="zh_CN"))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("name", sorted(SCREENS))
def test_larger_text_shows_every_text_of_normal_size_unclipped(app, name, language):
    render(app, name, language, elderly=False)
    normal = {w.text for w in labels(app)}
    render(app, name, language, elderly=True)
    larger = {w.text for w in labels(app)}
    assert not sorted(normal - larger), f"lost in larger text: {sorted(normal - larger)}"
    assert not clipped(app)


def test_rating_words_stay_whole_in_larger_text(app):
    from kivy.core.text import Label as CoreLabel
    render(app, "rating", "zh_CN", elderly=True)
    buttons = [b for b in app.root.manager.current_screen.ids.scores.children]
    assert len(buttons) == 5
    for button in buttons:
        line = CoreLabel(text="1", font_size=button.font_size, font_name=button.font_name)
        line.refresh()
        lines = round(button.texture_size[1] / line.texture.height)
        assert lines == 2, f"{button.text!r} on {lines} lines"    # the score, then its word


def test_icons_do_not_shrink_and_the_header_buttons_grow(app):
    def sizes():
        screen = app.root.manager.current_screen
        icons = [w.height for w in screen.walk() if type(w).__name__ == "Widget"
                 and w.parent is not None and type(w.parent).__name__ == "IdentifyMethod"]
        header = app.root.ids.header.ids
        return icons, (header.help.height, header.help.width, header.help.font_size), \
            (header.language.height, header.language.font_size)

    render(app, "identify", "zh_CN", elderly=False)
    icons, help_button, language = sizes()
    render(app, "identify", "zh_CN", elderly=True)
    icons_larger, help_larger, language_larger = sizes()
    assert icons and min(icons_larger) >= max(icons)
    assert all(a > b for a, b in zip(help_larger, help_button)), (help_button, help_larger)
    assert all(a > b for a, b in zip(language_larger, language)), (language, language_larger)
    assert not clipped(app)
