"""How the skin keeps screen changes fast: text drawn only for the screen in view, screens
swapped within one frame, list rows and keys reused, no see-through wide lines, garbage
collected at quiet times. Each of these once cost a transition hundreds of milliseconds."""
from __future__ import annotations

import dataclasses
import gc

import pytest

from kiosk.i18n import translate
from kiosk.session.states import Step


def test_language_switch_draws_only_the_screen_in_view(ui):
    attract = ui.wait_step(Step.ATTRACT)
    menu = ui.app.root.screen(Step.MENU)       # built, not shown
    ui.pump(2)
    title = menu.ids.hint
    hint = "Services in blue are done here. For the others we print a queue ticket for the counter."
    assert title.text == translate("zh_CN", hint)
    title.render_text()                        # as if shown once before
    chinese = title.texture.pixels
    ui.tap(attract.ids.en)
    ui.wait(lambda: ui.app.language == "en", "English")
    ui.pump(2)
    assert attract.ids.start.text == "Start" and not attract.ids.start.text_stale
    assert title.text == translate("en", hint) != translate("zh_CN", hint)
    assert title.text_stale and title.texture.pixels == chinese    # not drawn while hidden
    ui.tap(attract.ids.start)
    assert ui.wait_step(Step.MENU) is menu
    assert not title.text_stale and title.texture.pixels != chinese


def test_a_new_screen_replaces_the_old_one_within_the_frame(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    ui.wait_step(Step.MENU)
    manager = ui.app.root.manager
    ui.app.show(dataclasses.replace(ui.session.state, step=Step.HELP_CALLED))   # no frame in between
    assert [screen.name for screen in manager.children] == ["help_called"]


def test_menu_buttons_are_relabelled_not_rebuilt(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    menu = ui.wait_step(Step.MENU)
    buttons = list(menu.ids.options.children)
    before = [b.text for b in buttons]
    ui.tap(ui.app.root.ids.header.ids.language)
    ui.wait(lambda: ui.app.language == "en", "English")
    ui.pump(2)
    assert list(menu.ids.options.children) == buttons
    assert [b.text for b in buttons] != before
    assert all(b.text.isascii() for b in buttons)
    chosen = next(b for b in buttons if b.action_args.get("option") == "ticket")
    ui.tap(chosen)                               # a reused button still sends its own choice
    ui.wait(lambda: ui.session.state.step in (Step.IDENTIFY, Step.TICKET_SERVICE), "ticket")


def test_rows_are_reused_in_order_and_kept_for_a_longer_list(ui_app):
    from kivy.uix.boxlayout import BoxLayout
    from screens.widgets.controls import KLabel
    from screens.widgets.rows import fill_rows, stock_rows
    box = BoxLayout(orientation="vertical")
    built = []

    def build():
        built.append(KLabel())
        return built[-1]

    def refresh(label, text):
        label.text = text

    first = fill_rows(box, ["a", "b", "c"], build, refresh)
    assert [w.text for w in reversed(box.children)] == ["a", "b", "c"] and len(built) == 3
    assert fill_rows(box, ["x"], build, refresh) == first[:1]
    assert [w.text for w in box.children] == ["x"]
    again = fill_rows(box, ["p", "q", "r", "s"], build, refresh)
    assert len(built) == 4                       # two kept rows came back, one built
    assert set(first) < set(again)
    assert [w.text for w in reversed(box.children)] == ["p", "q", "r", "s"]
    stock_rows(box, 6, build)
    fill_rows(box, list("uvwxyz"), build, refresh)
    assert len(built) == 6 and len(box.children) == 6


def test_keypad_keys_are_relabelled_in_place(ui_app):
    from screens.widgets.keypad import Keypad
    pad = Keypad(clear_label="Clear", backspace_label="Delete")
    pressed = []
    pad.bind(on_key=lambda _pad, index: pressed.append(index))
    keys = list(pad.children)
    pad.keys = list("5038126947")
    assert list(pad.children) == keys
    assert [k.text for k in reversed(pad.children)][:9] == list("503812694")
    pad.press_digit("7")
    assert pressed == [9]
    pad.clear_label = "清除"
    assert list(pad.children) == keys and pad.key_widget("清除") in keys
    pad.extra_key = "."                          # another set of keys: built anew
    assert pad.key_widget(".") not in keys and len(pad.children) == 12


def test_no_wide_line_is_drawn_see_through(ui):
    """A wide line whose colour is not opaque goes through the stencil buffer every frame."""
    from kivy.graphics import Color, Line
    ui.wait_step(Step.ATTRACT)
    root = ui.app.root
    widgets = list(root.walk()) + [w for step in Step for w in root.screen(step).walk()]
    ui.pump(2)
    checked = 0
    for widget in widgets:
        for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
            colour = None
            for instruction in canvas.children:
                if isinstance(instruction, Color):
                    colour = instruction
                elif isinstance(instruction, Line) and instruction.width > 1:
                    checked += 1
                    assert colour is not None and colour.a == 1, (
                        f"see-through wide line on {type(widget).__name__}")
    assert checked > 20


def test_outline_points():
    from screens.widgets.outline import SEGMENTS, outline
    assert outline(10, 20, 300, 90, 14, shown=False) == []
    assert outline(10, 20, 0, 90, 14) == []
    points = outline(10, 20, 300, 90, 14)
    xs, ys = points[0::2], points[1::2]
    assert len(xs) == 4 * (SEGMENTS + 1)
    assert min(xs) == pytest.approx(10) and max(xs) == pytest.approx(310)
    assert min(ys) == pytest.approx(20) and max(ys) == pytest.approx(110)


def test_full_collections_wait_for_the_attract_screen(ui):
    from screens.idle_gc import NEVER
    collector = ui.app.collector
    thresholds = gc.get_threshold()
    collector.delay = 0
    collector.start()
    try:
        assert gc.get_threshold()[2] == NEVER and gc.get_freeze_count() > 0
        ui.wait_step(Step.ATTRACT)
        ui.tap_msg("Start")
        ui.wait_step(Step.MENU)
        ui.pump(3)
        before = collector.collections
        ui.app.show(dataclasses.replace(ui.session.state, step=Step.ATTRACT))
        ui.app.show(ui.session.state)            # a customer is back before it ran
        ui.pump(3)
        assert collector.collections == before
        ui.app.show(dataclasses.replace(ui.session.state, step=Step.ATTRACT))
        ui.pump(3)
        assert collector.collections == before + 1
    finally:
        collector.stop()
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0


def test_a_disabled_button_stays_readable(ui):
    from screens.widgets.controls import KButton
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    menu = ui.wait_step(Step.MENU)
    ui.pump(2)
    disabled = [w for w in menu.walk() if isinstance(w, KButton) and w.disabled and w.text]
    assert disabled, "the first page's 'previous page' is disabled"
    theme = ui.app.theme
    for button in disabled:
        assert list(button.disabled_color) == list(theme.disabled_text)
    assert contrast(theme.disabled_text, theme.disabled_fill) >= 3


def test_a_button_shows_no_pressed_shade_once_released(ui, tmp_path):
    """Held for a few frames (as a finger does) the shade is drawn; let go, it is gone."""
    from kivy.tests.common import UnitTestTouch
    from PIL import Image

    from screens.tour.runner import screenshot
    attract = ui.wait_step(Step.ATTRACT)
    button = attract.ids.en
    x, y = button.to_window(button.x + 6, button.center_y)

    def pixel(name: str) -> tuple[int, ...]:
        image = Image.open(screenshot(tmp_path / f"{name}.png")).convert("RGB")
        return image.getpixel((round(x), image.height - round(y)))

    up = pixel("up")
    touch = UnitTestTouch(*button.to_window(*button.center))
    touch.touch_down()
    ui.pump(3)
    assert button.state == "down" and pixel("down") != up
    touch.touch_move(*button.to_window(button.right + 200, button.top + 200))   # slid off
    touch.touch_up()
    ui.wait(lambda: button.state == "normal", "released")
    ui.pump(2)
    assert ui.app.language == "zh_CN"
    assert pixel("released") == up


def contrast(a, b) -> float:
    """WCAG contrast ratio of two RGB(A) colours in 0..1."""
    def luminance(c):
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c[:3]]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_a_long_description_makes_its_transaction_row_taller(ui_app):
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.uix.floatlayout import FloatLayout
    from screens.transactions import TransactionRow
    short = TransactionRow(item={"description": "Salary", "amount_fen": 100}, size=(1200, 10))
    long = TransactionRow(item={"description": "转账 Transfer 一二三四五六七八九十 " * 3,
                                "counterparty_masked": "625965*********0025",
                                "amount_fen": -100}, size=(1200, 10))
    stage = FloatLayout()            # rows draw their text in the window (out of it, it waits)
    for row in (short, long):
        row.size_hint = (None, None)
        stage.add_widget(row)
    Window.add_widget(stage)
    try:
        for _ in range(4):
            EventLoop.idle()
        assert long.ids.desc.height > short.ids.desc.height * 1.5       # it wrapped
        assert long.height >= long.ids.desc.height > 0
        assert long.height > short.height
    finally:
        Window.remove_widget(stage)


# -- larger text: the screen in view follows at once, the others as they come up ---------------
def layout(screen) -> list[tuple]:
    """What a screen's widgets look like: kind, text size, box and where it is."""
    out = []
    for w in screen.walk(restrict=True):
        font = round(getattr(w, "font_size", 0))
        texture = tuple(round(v) for v in w.texture_size) if hasattr(w, "texture_size") else ()
        out.append((type(w).__name__, font, texture, tuple(round(v) for v in w.size),
                    tuple(round(v) for v in w.pos)))
    return out


def sized_for(theme, screen) -> list[str]:
    """The screen's texts and buttons whose size is not the one the theme gives them now."""
    from screens.widgets.controls import KButton, KText
    wrong = []
    for w in screen.walk(restrict=True):
        if isinstance(w, KText):
            expected = theme.font(w.role, theme.unit, theme.scale)
        elif isinstance(w, KButton):
            expected = theme.font(w.text_role, theme.unit, theme.scale)
            height = w.fixed_height or theme.button_height * w.size_factor
            if round(w.height) != round(height):
                wrong.append(f"{type(w).__name__} {w.text[:20]!r} height {w.height} != {height}")
        else:
            continue
        if round(w.font_size) != round(expected):
            wrong.append(f"{type(w).__name__} {w.text[:20]!r} font {w.font_size} != {expected}")
    return wrong


def test_larger_text_lays_out_the_screen_in_view_and_every_other_as_it_comes_up(ui):
    from screens.widgets.out_of_view import held
    theme = ui.app.theme
    attract = ui.wait_step(Step.ATTRACT)
    menu = ui.app.root.screen(Step.MENU)                 # built, not shown
    ui.pump(2)
    normal = menu.ids.more.font_size
    ui.tap(attract.ids.elderly)                          # 大字 / Larger text
    ui.wait(lambda: ui.app.elderly, "larger text")
    ui.pump(2)
    assert theme.scale > 1 and not sized_for(theme, attract)
    assert ui.app.root.ids.header.ids.help.font_size > theme.font("header", theme.unit, 1)
    assert menu.ids.more.font_size == normal and held(menu.ids.more)  # waits while hidden

    def check(screen) -> None:
        assert not [w for w in ui.widgets() if held(w)]  # nothing in view left behind
        assert not sized_for(theme, screen)
        deferred = layout(screen)
        state = ui.app.current_state                     # followed at once, in view:
        ui.app.show(dataclasses.replace(state, elderly=False))
        ui.pump(3)
        assert layout(screen) != deferred
        ui.app.show(state)
        ui.pump(3)
        assert layout(screen) == deferred                # the same as caught up

    ui.tap_msg("Start")
    check(ui.wait_step(Step.MENU))
    while ui.tr("service_open_account") not in [b.text.split("\n")[0]
                                                for b in menu.ids.options.children]:
        page = ui.session.state.view.get("page")
        ui.tap(menu.ids.more)                            # four services a page in larger text
        ui.wait(lambda: ui.session.state.view.get("page") == page + 1, "the next page")
        ui.pump(2)
        check(menu)
    ui.tap_msg("service_open_account")
    check(ui.wait_step(Step.IDENTIFY))
    ui.tap_msg("Continue without")
    issued = ui.wait_step(Step.TICKET_ISSUED, timeout=15)
    check(issued)
    ui.tap(issued.ids.done)
    ui.wait(lambda: ui.session.state.step in (Step.TAKE_ITEMS, Step.RATING, Step.GOODBYE),
            "the end of the journey")
    check(ui.wait_step(ui.session.state.step))


def test_a_widget_taken_out_of_a_hidden_tree_catches_up_when_it_comes_into_view(ui_app):
    """A row or a keypad moved from a screen out of view into the window never shows the
    size it had before a change it missed, nor its old text."""
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.uix.boxlayout import BoxLayout
    from screens.widgets.controls import KLabel
    from screens.widgets.out_of_view import held
    theme = ui_app.theme
    theme.elderly = False
    hidden, row, label = BoxLayout(), BoxLayout(), KLabel(text="before")
    row.add_widget(label)
    hidden.add_widget(row)                               # a tree that is not in the window
    EventLoop.idle()
    normal = label.font_size
    try:
        theme.elderly = True
        label.text = "after"
        EventLoop.idle()
        assert label.font_size == normal and held(label) and label.text_stale
        hidden.remove_widget(row)                        # not the top of the tree: moved on
        Window.add_widget(row)
        assert label.font_size == theme.font("body", theme.unit, theme.scale) > normal
        assert not held(label) and not label.text_stale
    finally:
        theme.elderly = False
        Window.remove_widget(row)
    EventLoop.idle()
    assert label.font_size == normal


def test_a_screen_caught_up_is_laid_out_as_if_it_had_followed_every_change(ui_app):
    """A class rule and a screen's own rule set the same property (the transactions page's
    spacing): the one that was triggered last must win, as it does in view, however the
    changes it missed came in."""
    from kivy.base import EventLoop

    from kiosk.session.states import State
    theme = ui_app.theme
    state = State(Step.TRANSACTIONS, seq=1, view={"items": [], "page": 1, "pages": 1},
                  actions=("back",), language="en", elderly=True, page_size=4)
    ui_app.show(State(Step.ATTRACT, seq=1, language="en"))
    EventLoop.idle()
    screen = ui_app.root.screen(Step.TRANSACTIONS)      # hidden while the changes come
    try:
        theme.elderly = True                            # larger text...
        theme.narrow_stage = True                       # ...the accessible mode's side...
        theme.narrow_stage = False                      # ...gone again
        ui_app.show(state)
        for _ in range(3):
            EventLoop.idle()
        caught_up = layout(screen)
        ui_app.show(dataclasses.replace(state, elderly=False))
        EventLoop.idle()
        ui_app.show(state)                              # followed in view
        for _ in range(3):
            EventLoop.idle()
        assert caught_up == layout(screen)
    finally:
        theme.narrow_stage = False
        ui_app.show(State(Step.ATTRACT, seq=1, language="zh_CN"))
        EventLoop.idle()


# the pages that choose their own padding (the shared Page rule sets everyone else's)
OWN_PADDING = (Step.ATTRACT, Step.PIN, Step.TRANSACTIONS, Step.ERROR, Step.GOODBYE,
               Step.HELP_CALLED, Step.MORE_TIME, Step.PRINTING, Step.RATING, Step.WORKING)


def test_pages_keep_their_own_padding_after_the_accessible_mode_comes_and_goes(ui_app):
    """The accessible mode's numbered column narrows every page's left margin; when it goes
    (the mode off, the next customer) each page is padded as in a fresh app, not with the
    shared page padding."""
    from kivy.base import EventLoop

    from kiosk.session.states import State
    theme = ui_app.theme
    theme.elderly = False

    def padding(step, **kw) -> list:
        """The page's padding while `step` is in view (a hidden screen catches up when shown)."""
        ui_app.show(State(step, seq=2, language="en", view={"items": [], "page": 1, "pages": 1},
                          **kw))
        for _ in range(3):
            EventLoop.idle()
        return [round(v) for v in ui_app.root.screen(step).children[0].padding]

    fresh = {step: padding(step) for step in OWN_PADDING}
    assert fresh[Step.ATTRACT][0] == theme.padding * 2             # its own, not the shared
    assert fresh[Step.TRANSACTIONS][0] == theme.page_padding_left
    try:
        for step in (Step.ATTRACT, Step.PIN, Step.TRANSACTIONS):
            narrow = padding(step, accessible=True)
            assert theme.narrow_stage                                # the numbered column
            if step != Step.ATTRACT:
                assert narrow[0] < fresh[step][0]
            padding(Step.ATTRACT)                                    # next customer
            assert not theme.narrow_stage
            assert {s: padding(s) for s in OWN_PADDING} == fresh, step
    finally:
        ui_app.show(State(Step.ATTRACT, seq=1, language="zh_CN"))
        EventLoop.idle()
