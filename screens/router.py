"""Which screen renders which session step, and loading of the skin's .kv files.

The mapping is data: a screen never names another, the session decides the step.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from kivy.lang import Builder

from kiosk.resources import shipped
from kiosk.session.states import Step

HERE = shipped("screens")

# step -> "module:Class" under screens/
SCREENS: dict[Step, str] = {step: f"screens.{step.value}:{''.join(p.title() for p in step.value.split('_'))}Screen"
                            for step in Step}

WIDGET_KV = ("controls", "layout", "header", "keypad", "letter_keyboard", "suggestion",
             "privacy_curtain", "choice_pad",
             "simulator_handle", "qr_image", "transaction_rows")
WIDGET_MODULES = ("controls", "header", "keypad", "letter_keyboard", "suggestion",
                  "privacy_curtain", "choice_pad",
                  "simulator_handle", "qr_image", "transaction_rows")

_loaded: set[Path] = set()


def _load(path: Path) -> None:
    if path not in _loaded:
        Builder.load_file(str(path))
        _loaded.add(path)


def load_kv() -> None:
    """Import the widget classes and load every .kv file of the skin (once per process)."""
    for name in WIDGET_MODULES:
        importlib.import_module(f"screens.widgets.{name}")
    for name in WIDGET_KV:
        _load(HERE / "widgets" / f"{name}.kv")
    _load(HERE / "root.kv")
    for target in SCREENS.values():
        module = target.partition(":")[0]
        importlib.import_module(module)
        _load(HERE / f"{module.rpartition('.')[2]}.kv")
    importlib.import_module("screens.simulator_panel")
    _load(HERE / "simulator_panel.kv")


def build_screen(step: Step):
    """The screen of one step, named after it."""
    module, _, cls = SCREENS[step].partition(":")
    return getattr(importlib.import_module(module), cls)(name=step.value)
