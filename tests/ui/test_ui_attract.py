"""The attract screen, the shared header, language and elderly mode, the idle timeout and the
simulator panel, driven by touches on the offscreen window (no chip card needed)."""
from __future__ import annotations

from kiosk.session.states import Step


def test_language_switch_changes_the_visible_text(ui):
    attract = ui.wait_step(Step.ATTRACT)
    start = attract.ids.start
    assert start.text == ui.tr("Start") == "开始办理"
    assert "欢迎光临" in ui.visible_texts()
    ui.tap(attract.ids.en)
    ui.wait(lambda: ui.app.language == "en", "English")
    assert start.text == "Start"
    assert ui.session.state.language == "en"
    texts = ui.visible_texts()
    assert "Welcome" in texts and "欢迎光临" not in texts
    assert ui.app.root.ids.header.ids.language.text == "中文"
    ui.tap(ui.app.root.ids.header.ids.language)          # the header's switch goes back
    ui.wait(lambda: ui.app.language == "zh_CN", "Chinese")
    assert start.text == "开始办理"


def test_elderly_mode_makes_text_and_targets_larger_with_fewer_choices(ui):
    attract = ui.wait_step(Step.ATTRACT)
    normal_size, normal_height = attract.ids.start.font_size, attract.ids.start.height
    ui.tap(attract.ids.elderly)
    ui.wait(lambda: ui.app.elderly, "elderly mode")
    ui.pump(2)
    assert attract.ids.start.font_size >= normal_size * 1.3
    assert attract.ids.start.height > normal_height
    ui.tap(attract.ids.start)
    menu = ui.wait_step(Step.MENU)
    options = menu.ids.options.children
    assert len(options) == ui.config.ui.elderly_page_size < ui.config.ui.page_size
    assert all(button.height >= 64 for button in options)      # ~10 mm on a 15" panel


def test_every_touch_target_is_finger_sized(ui):
    from kivy.uix.behaviors import ButtonBehavior
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    ui.wait_step(Step.MENU)
    buttons = [w for w in ui.widgets() if isinstance(w, ButtonBehavior) and ui._shown(w)
               and not w.disabled and w.width > 1
               and type(w).__name__ != "SimulatorHandle"]   # the tester's tab, not a customer's
    assert len(buttons) >= 8
    assert min(min(b.width, b.height) for b in buttons) >= 64


def test_idle_customer_is_asked_then_returned_to_attract(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    ui.wait_step(Step.MENU)
    ui.advance(ui.config.ui.idle_timeout_s + 1)
    more = ui.wait_step(Step.MORE_TIME)
    assert more.ids.countdown.text == str(int(ui.config.ui.more_time_s))
    ui.advance(3)
    ui.wait(lambda: more.ids.countdown.text == str(int(ui.config.ui.more_time_s) - 3),
            "countdown")
    ui.tap(more.ids.more_time)                               # "yes, more time": back where I was
    ui.wait_step(Step.MENU)
    ui.advance(ui.config.ui.idle_timeout_s + 1)
    ui.wait_step(Step.MORE_TIME)
    ui.advance(ui.config.ui.more_time_s + 1)
    goodbye = ui.wait_step(Step.GOODBYE)
    assert goodbye.message == ui.tr("session_timed_out")
    ui.advance(6)
    ui.wait_step(Step.ATTRACT)


def test_help_button_on_a_screen_calls_staff_and_returns(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap(ui.app.root.ids.header.ids.help)          # even before anyone has started
    ui.tap(ui.wait_step(Step.HELP_CALLED).ids.done)
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    ui.wait_step(Step.MENU)
    ui.tap(ui.app.root.ids.header.ids.help)
    called = ui.wait_step(Step.HELP_CALLED)
    assert called.message in (ui.tr("help_called"), ui.tr("help_unavailable"))
    ui.tap(called.ids.done)
    ui.wait_step(Step.MENU)


def test_help_screen_shows_the_alerts_call_number_and_cancel_closes_it(ui):
    ui.wait_step(Step.ATTRACT)
    ui.tap_msg("Start")
    ui.wait_step(Step.MENU)
    ui.tap(ui.app.root.ids.header.ids.help)
    called = ui.wait_step(Step.HELP_CALLED)
    assert called.message == ui.tr("help_called")
    alert = next(a for a in ui.core.alerts.active() if a.kind == "help")
    number = alert.data["reason"]
    assert len(number) == 4 and number.isdecimal()          # read out as digits, never hex
    ui.pump(2)
    assert ui.tr("Call number {ref}", ref=number) in ui.visible_texts()
    assert not called.ids.cancel.disabled and called.ids.cancel.opacity == 1
    ui.tap(called.ids.cancel)                                 # 我不需要帮助了
    ui.wait_step(Step.MENU)                                   # back where the customer was
    ui.wait(lambda: not any(a.kind == "help" for a in ui.core.alerts.active()), "help closed")
    closed = ui.core.alerts.get(alert.alert_id)
    assert not closed.open and closed.resolved_at is not None
    assert [e.fields["reference"] for e in ui.core.journal.entries(kind="help.cancelled")] == [number]


def open_panels() -> list:
    from kivy.core.window import Window
    return [w for w in Window.children if type(w).__name__ == "SimulatorPanel"]


def test_simulator_panel_lists_emulator_actions_and_performs_them(ui):
    ui.wait_step(Step.ATTRACT)
    handle = ui.app.root.ids.simulator_handle
    assert ui.app.simulator_enabled and handle.parent is not None
    ui.tap(handle)
    ui.pump(2)
    panels = open_panels()
    assert len(panels) == 1
    panel = panels[0]
    texts = ui.visible_texts()
    assert ui.tr("Receipt printer") in texts and ui.tr("ID card reader") in texts
    printer = ui.emulator("printer")
    paper_out = next(a for a in printer.actions() if a.name == "paper_out")
    button = ui.find(ui.tr(paper_out.label))
    panel.ids.scroll.scroll_to(button, padding=0, animate=False)   # the tester scrolls to it
    ui.pump(3)
    ui.tap(button)
    ui.wait(lambda: ui.core.devices.statuses()["printer"].get("paper") == "out",
            "printer reports paper out", timeout=5)
    assert "paper_out" in panel.outcome
    panel.dismiss()
    ui.wait(lambda: not open_panels(), "panel closed")
    printer.perform("paper_replaced")


def test_simulator_panel_choices_keep_their_names_on_one_line(ui):
    from screens.simulator_panel import one_line_width
    from screens.widgets.controls import Chip
    ui.wait_step(Step.ATTRACT)
    ui.tap(ui.app.root.ids.simulator_handle)
    ui.pump(3)
    panel = open_panels()[0]
    chips = [w for w in panel.walk() if isinstance(w, Chip)]
    people = [c for c in chips if c.text == "ceshi_jia"]
    assert len(chips) >= 8 and people
    for chip in chips:                               # the whole name fits across its chip
        assert one_line_width(chip) <= chip.width - ui.app.theme.spacing, chip.text
        assert chip.right <= chip.parent.right + 1, chip.text
    panel.dismiss()
    ui.wait(lambda: not open_panels(), "panel closed")


def test_f12_opens_the_panel_only_in_emulated_mode(ui):
    from kivy.core.window import Window
    ui.wait_step(Step.ATTRACT)
    Window.dispatch("on_key_down", 293, 0, None, [])
    ui.pump(2)
    panels = open_panels()
    assert len(panels) == 1
    panels[0].dismiss()
    ui.wait(lambda: not open_panels(), "panel closed")
    ui.app.simulator_enabled = False                         # a production configuration
    try:
        assert ui.app.root.ids.simulator_handle.parent is None
        Window.dispatch("on_key_down", 293, 0, None, [])
        ui.pump(2)
        assert not open_panels()
    finally:
        ui.app.simulator_enabled = True
