"""The layout check the tour runs on every screen it renders: nothing drawn outside its area,
no text larger than its box, no text drawn over another's or covered by a painted widget,
finger-sized touch targets, no word broken across lines (a Latin word wrapped mid-word), no glyph
the font lacks (tofu), and no text of the other language.

Each finding is one line naming the widget, its text and what is wrong."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kiosk.session.states import Step

from .harness import plain, shown

MIN_TARGET = 64                      # px: a finger, at the design size
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])")
# a character of a word or a figure that must stay on one line ("Transactions", "¥45,343.50"):
# neither a space nor CJK (which may break between any two characters)
WORD_CHAR = re.compile(r"[^\s\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# a customer's name as the kiosk shows it: masked (测*甲) or being typed
MASKED_NAME = re.compile(r"[\u3400-\u9fff]\*+[\u3400-\u9fff]*")
LANGUAGE_NAMES = ("中文", "English")           # each language's button, in its own language
CUSTOMER_INPUT_IDS = ("name_field", "candidates")   # what the customer types, as typed
COVERS = ("PrivacyCurtain",)                   # meant to hide what is under them


def layout_problems(app: Any) -> list[str]:
    """Every finding on what the window shows now."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView
    widgets = [w for w in app.root.walk()]
    for child in Window.children:
        if isinstance(child, ModalView):
            widgets.extend(child.walk())
    covers = [w for w in widgets if type(w).__name__ in COVERS and shown(w)]
    visible = [w for w in widgets if w.width > 1 and w.height > 1 and shown(w)
               and not _under_cover(w, covers)]
    state = app.current_state
    language = app.language
    problems: list[str] = []
    problems += _placement(app, visible)
    texts = [(w, _text_box(w)) for w in visible if _has_text(w)]
    texts = [(w, box) for w, box in texts if box is not None]
    problems += _overlaps(visible, texts)
    problems += _touch_thieves(widgets, visible)
    problems += _broken_words(texts)
    problems += _tofu(texts)
    if state is not None and state.step != Step.TECHNICIAN:   # staff's screen: bilingual
        problems += _other_language(app, texts, language)
    return problems


# -- where widgets are -----------------------------------------------------------------------
def _name(widget: Any) -> str:
    return f"{type(widget).__name__} {plain(getattr(widget, 'text', '') or '')[:48]!r}"


def _rect(widget: Any) -> tuple[float, float, float, float]:
    x, y = widget.to_window(widget.x, widget.y)
    return x, y, x + widget.width, y + widget.height


def _placement(app: Any, visible: list[Any]) -> list[str]:
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.label import Label
    problems = []
    manager = app.root.manager
    area = _rect(manager)
    screen_area = {id(w) for w in manager.current_screen.walk(restrict=True)}
    for widget in visible:
        x0, y0, x1, y1 = _rect(widget)
        left, bottom, right, top = area if id(widget) in screen_area \
            else (0, 0, Window.width, Window.height)
        if x0 < left - 1 or y0 < bottom - 1 or x1 > right + 1 or y1 > top + 1:
            problems.append(f"{_name(widget)} outside its area at {x0:.0f},{y0:.0f}")
        parent = widget.parent
        if isinstance(parent, (BoxLayout, GridLayout)) and parent.width > 1:
            px0, py0, px1, py1 = _rect(parent)
            if x0 < px0 - 1 or y0 < py0 - 1 or x1 > px1 + 1 or y1 > py1 + 1:
                problems.append(f"{_name(widget)} sticks out of its {type(parent).__name__}")
        if isinstance(widget, Label) and widget.text and widget.texture is not None:
            tw, th = widget.texture_size
            if tw > widget.width + 2 or th > widget.height + 2:
                problems.append(f"{_name(widget)} clipped: text {tw:.0f}x{th:.0f} in a "
                                f"{widget.width:.0f}x{widget.height:.0f} box")
            elif widget.shorten and _shortened(widget):
                problems.append(f"{_name(widget)} clipped: shortened with an ellipsis")
        if isinstance(widget, ButtonBehavior) and not widget.disabled \
                and type(widget).__name__ != "SimulatorHandle" \
                and min(widget.width, widget.height) < MIN_TARGET:
            problems.append(f"{_name(widget)} is a {widget.width:.0f}x{widget.height:.0f} target")
    return problems


def _shortened(label: Any) -> bool:
    lines = getattr(label._label, "_cached_lines", None) or []
    return any("…" in "".join(getattr(w, "text", "") for w in line.words) for line in lines)


# -- text ------------------------------------------------------------------------------------
def _has_text(widget: Any) -> bool:
    from kivy.uix.label import Label
    return isinstance(widget, Label) and bool(plain(widget.text).strip()) \
        and widget.texture is not None


def _text_box(label: Any) -> tuple[float, float, float, float] | None:
    """Where the label's glyphs are, in window coordinates (its lines' extent, aligned)."""
    lines = getattr(label._label, "_cached_lines", None) or []
    tw, th = label.texture_size
    if not lines or tw <= 0 or th <= 0:
        return None
    width = max(line.w for line in lines)
    height = sum(line.h for line in lines)
    px, py = label.padding[0], label.padding[1]
    # the texture is drawn centred on the label; its lines are aligned inside it
    tx = label.center_x - tw / 2
    ty = label.center_y - th / 2
    x = {"left": tx + px, "right": tx + tw - px - width}.get(label.halign, tx + (tw - width) / 2)
    y = {"top": ty + th - py - height, "bottom": ty + py}.get(label.valign,
                                                           ty + (th - height) / 2)
    wx, wy = label.to_window(x, y)
    return wx, wy, wx + width, wy + height


def _overlap(a: tuple[float, ...], b: tuple[float, ...], margin: float = 2) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > margin and min(a[3], b[3]) - max(a[1], b[1]) > margin


def _related(a: Any, b: Any) -> bool:
    return _ancestor(a, b) or _ancestor(b, a)


def _ancestor(parent: Any, child: Any) -> bool:
    w = child.parent
    while w is not None and w is not w.parent:
        if w is parent:
            return True
        w = w.parent
    return False


def _paints(widget: Any) -> bool:
    """The widget paints an area of its own (a background), not only text."""
    from kivy.graphics import BorderImage, Color, Rectangle, RoundedRectangle
    from kivy.uix.label import Label
    for canvas in (widget.canvas.before, widget.canvas):
        alpha = 1.0
        for instruction in canvas.children:
            if isinstance(instruction, Color):
                alpha = instruction.a
            elif isinstance(instruction, (Rectangle, RoundedRectangle, BorderImage)) \
                    and alpha > 0.5 and not (isinstance(widget, Label)
                                             and instruction.texture is widget.texture):
                return True
    return False


def _overlaps(visible: list[Any], texts: list[tuple[Any, tuple[float, ...]]]) -> list[str]:
    problems = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            if not _related(a, b) and _overlap(box_a, box_b):
                problems.append(f"{_name(a)} and {_name(b)} drawn over each other")
    order = {id(w): n for n, w in enumerate(visible)}
    painters = [w for w in visible if _paints(w)]
    for label, box in texts:
        for painter in painters:
            if order[id(painter)] > order[id(label)] and not _related(label, painter) \
                    and _overlap(box, _rect(painter)):
                problems.append(f"{_name(label)} covered by {type(painter).__name__}")
    return problems


def _touch_thieves(widgets: list[Any], visible: list[Any]) -> list[str]:
    """A hidden or disabled button over a shown one takes its touches (Kivy gives a touch to
    the widget added last, and a disabled widget swallows the touches that land on it)."""
    from kivy.uix.behaviors import ButtonBehavior
    order = {id(w): n for n, w in enumerate(widgets)}
    targets = [w for w in visible if isinstance(w, ButtonBehavior) and not w.disabled]
    shown_ids = {id(w) for w in visible}
    thieves = [w for w in widgets if isinstance(w, ButtonBehavior) and w.width > 1
               and w.height > 1 and (w.disabled or id(w) not in shown_ids)]
    problems = []
    for target in targets:
        for thief in thieves:
            if order[id(thief)] > order[id(target)] and not _related(target, thief) \
                    and _overlap(_rect(target), _rect(thief), 0):
                problems.append(f"{_name(thief)} ({'disabled' if thief.disabled else 'hidden'})"
                                f" takes the touches of {_name(target)}")
    return problems


def _under_cover(widget: Any, covers: list[Any]) -> bool:
    """Under a widget that is there to hide the screen (the privacy curtain)."""
    return any(c is not widget and not _ancestor(c, widget)
               and _overlap(_rect(widget), _rect(c), 0) for c in covers)


def _broken_words(texts: list[tuple[Any, tuple[float, ...]]]) -> list[str]:
    """A word or a figure that wraps with part of it on the next line ("Unsatis" / "factory",
    "¥45,343." / "50"): Kivy breaks Latin text only at spaces, unless a word is too long for
    its line, and then where the line ends. So a line that ends right before the next line's
    first character, both of a word (not a space, not CJK), was broken inside a word."""
    problems = []
    for label, _ in texts:
        lines = ["".join(w.text for w in line.words).strip()
                 for line in getattr(label._label, "_cached_lines", None) or []]
        lines = [line for line in lines if line]
        source = plain(label.text)
        pos = 0
        starts = []
        for line in lines:
            at = source.find(line, pos)
            if at < 0:           # not laid out from this text (shortened): nothing to say
                starts = []
                break
            starts.append(at)
            pos = at + len(line)
        for line, start, following in zip(lines, starts, starts[1:]):
            end = start + len(line)
            if end == following and WORD_CHAR.match(source[end - 1]) \
                    and WORD_CHAR.match(source[end]):
                left = right = end
                while left > 0 and WORD_CHAR.match(source[left - 1]):
                    left -= 1
                while right < len(source) and WORD_CHAR.match(source[right]):
                    right += 1
                problems.append(f"{_name(label)} breaks the word {source[left:right]!r} "
                                f"across lines")
    return problems


# -- glyphs and languages ----------------------------------------------------------------------
@lru_cache(maxsize=8)
def _font(path: str) -> Any:
    from PIL import ImageFont
    return ImageFont.truetype(path, 32)


@lru_cache(maxsize=8)
def _missing_glyph(path: str) -> bytes:
    return _glyph(path, "\U0010fffd")


@lru_cache(maxsize=20000)
def _glyph(path: str, char: str) -> bytes:
    mask = _font(path).getmask(char)
    return bytes(mask.size) + bytes(mask)


def _font_file(label: Any) -> str | None:
    from kivy.core.text import LabelBase
    from kivy.resources import resource_find
    name = label.font_name
    registered = getattr(LabelBase, "_fonts", {}).get(name)
    path = registered[0] if registered else name
    return resource_find(path) or resource_find(path + ".ttf")


def _tofu(texts: list[tuple[Any, tuple[float, ...]]]) -> list[str]:
    problems = []
    for label, _ in texts:
        path = _font_file(label)
        if path is None:
            problems.append(f"{_name(label)} font {label.font_name!r} not found")
            continue
        missing = sorted({c for c in plain(label.text) if not c.isspace() and c.isprintable()
                          and _glyph(path, c) == _missing_glyph(path)})
        if missing:
            problems.append(f"{_name(label)} tofu: the font lacks "
                            + " ".join(f"U+{ord(c):04X}" for c in missing))
    return problems


@lru_cache(maxsize=1)
def catalog_latin_words() -> frozenset[str]:
    """The Latin words the zh_CN catalog itself uses (brand names, PIN, QR...)."""
    from kiosk.i18n import catalog
    words: set[str] = set()
    for text in catalog("zh_CN").values():
        words.update(LATIN_WORD.findall(text))
    return frozenset(words)


def _other_language(app: Any, texts: list[tuple[Any, tuple[float, ...]]],
                    language: str) -> list[str]:
    screen = app.root.manager.current_screen
    inputs = [screen.ids[i].__self__ for i in CUSTOMER_INPUT_IDS if i in screen.ids]  # not proxies
    problems = []
    for label, _ in texts:
        text = plain(label.text).strip()
        if text in LANGUAGE_NAMES or any(w is label or _ancestor(w, label) for w in inputs):
            continue
        if language == "en":
            rest = MASKED_NAME.sub("", text)
            if CJK.search(rest):
                problems.append(f"{_name(label)} Chinese text in the English screen")
        else:
            allowed = catalog_latin_words()
            foreign = [w for w in LATIN_WORD.findall(text)
                       if w not in allowed and not (w.isupper() and len(w) <= 4)]
            if foreign:
                problems.append(f"{_name(label)} Latin words in the Chinese screen: "
                                + " ".join(sorted(set(foreign))))
    return problems

