"""Sizes and colours of the skin: calm, high contrast, big touch targets.

Everything is designed on a 1280x800 panel and scaled by `unit` (window height / 800), so a
1920x1080 kiosk looks the same. Elderly mode multiplies text and targets by `text_scale`.

A change (larger text, the window's size) is followed at once by what is in view: the screen
shown, the header. A .kv rule of a widget out of view (a hidden screen, a spare row) that
reads the theme is evaluated when its widget comes into the window, before the frame that
draws it (screens/widgets/out_of_view.py). Every built screen's layout following larger text
at once made it the slowest thing a customer could touch.
"""
from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.lang.builder import call_fn, delayed_call_fn
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

from .widgets.out_of_view import put_off

# how the .kv language binds a rule: handler(rule, instance, value) evaluates it
KV_HANDLERS = (call_fn, delayed_call_fn)

DESIGN_HEIGHT = 800

# text sizes (px at 1280x800) by role; 'header' grows by half as much as the rest in elderly
# mode (the header's buttons grow with it, its height a little)
TEXT_BASE = {"title": 40, "heading": 32, "body": 26, "small": 20, "button": 28, "key": 40,
             "figure": 48, "header": 24}


def rgb(hex_colour: str, alpha: float = 1.0) -> list[float]:
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)] + [alpha]


class Theme(EventDispatcher):
    unit = NumericProperty(1.0)
    elderly = BooleanProperty(False)
    elderly_text_scale = NumericProperty(1.4)
    scale = NumericProperty(1.0)

    # text sizes (px)
    title = NumericProperty(40)
    heading = NumericProperty(32)
    body = NumericProperty(26)
    small = NumericProperty(20)
    button_text = NumericProperty(28)
    # touch targets (px): 64 px is ~10 mm on a 15" 1280x800 panel; we stay well above it
    button_height = NumericProperty(96)
    key_size = NumericProperty(96)
    header_height = NumericProperty(88)
    choice_pad_width = NumericProperty(232)   # the accessible mode's numbered buttons (2 a row)
    padding = NumericProperty(32)
    page_padding_left = NumericProperty(48)   # a page's left side; half beside the numbered buttons
    narrow_stage = BooleanProperty(False)  # the accessible mode's numbered buttons take a side
    spacing = NumericProperty(20)
    radius = NumericProperty(14)

    background = ColorProperty(rgb("#F3F5F8"))
    surface = ColorProperty(rgb("#FFFFFF"))
    header = ColorProperty(rgb("#0B3A66"))
    on_header = ColorProperty(rgb("#FFFFFF"))
    primary = ColorProperty(rgb("#0B5CAD"))
    on_primary = ColorProperty(rgb("#FFFFFF"))
    text = ColorProperty(rgb("#1B2430"))
    muted = ColorProperty(rgb("#4A5666"))
    outline = ColorProperty(rgb("#B8C2CF"))
    warning = ColorProperty(rgb("#8A4B00"))
    warning_surface = ColorProperty(rgb("#FFF3E0"))
    info_surface = ColorProperty(rgb("#E3EEF9"))
    disabled_fill = ColorProperty(rgb("#DDE3EA"))
    disabled_text = ColorProperty(rgb("#5F6B7A"))
    danger = ColorProperty(rgb("#B3261E"))
    success = ColorProperty(rgb("#1E6B33"))
    accent = ColorProperty(rgb("#C8102E"))  # the bank's red, used sparingly

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(unit=self._resize, scale=self._resize, narrow_stage=self._resize)
        self._resize()

    def fbind(self, name, func, *largs, **kwargs):
        """A .kv rule reading the theme is bound through `_follow`; other bindings as they are."""
        if func in KV_HANDLERS and len(largs) == 1 and not kwargs:
            return super().fbind(name, self._follow, func, largs[0])
        return super().fbind(name, func, *largs, **kwargs)

    def _follow(self, handler, rule, instance, value) -> None:
        """A theme property a rule reads changed: evaluate the rule now if its widget ('self'
        among the rule's ids) is in view, else when it comes into view (once)."""
        if not put_off(rule[4]["self"], id(rule), handler, rule, self, None):
            handler(rule, instance, value)

    @staticmethod
    def font(role: str, unit: float, scale: float) -> int:
        """The text size of a role. Rules call it with the theme's unit and scale so that they
        follow one change of either once, not once per size property."""
        return round(TEXT_BASE[role] * unit * (1 + (scale - 1) / 2 if role == "header" else scale))

    def on_elderly(self, *_):
        self.scale = self.elderly_text_scale if self.elderly else 1.0

    def fit_window(self, width: float, height: float) -> None:
        self.unit = max(0.5, min(height / DESIGN_HEIGHT, width / 1280))

    def _resize(self, *_):
        u, s = self.unit, self.scale
        self.title = self.font("title", u, s)
        self.heading = self.font("heading", u, s)
        self.body = self.font("body", u, s)
        self.small = self.font("small", u, s)
        self.button_text = self.font("button", u, s)
        self.button_height = round(96 * u * (1 + (s - 1) / 2))
        self.key_size = round(96 * u * (1 + (s - 1) / 3))
        self.header_height = round(88 * u * (1 + (s - 1) / 4))
        self.choice_pad_width = round(232 * u)
        self.padding = round(32 * u)
        self.page_padding_left = round(32 * u * (0.75 if self.narrow_stage else 1.5))
        self.spacing = round(20 * u)
        self.radius = round(14 * u)
