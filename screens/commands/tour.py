"""`kiosk tour --out DIR [--lang zh_CN|en] [--elderly]`: every customer screen to PNG.

Renders with no display (SDL_VIDEODRIVER=offscreen unless a display is there), then writes a
contact sheet of all screens (contact_sheet.png).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tour", help="render every customer screen to PNG")
    parser.add_argument("--out", required=True, help="folder for the PNG files")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default=None,
                        help="language (default: the config's ui.language)")
    parser.add_argument("--elderly", action="store_true", help="elderly mode (larger text)")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.set_defaults(handler=tour)


def tour(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    for name in ("KIVY_NO_ARGS", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG", "KIVY_NO_CONFIG"):
        os.environ.setdefault(name, "1")
    from screens.app import KioskApp, configure_kivy
    from screens.tour import contact_sheet, render_tour, tour_states
    configure_kivy(config.ui)
    app = KioskApp(config, session=None)
    from kivy.core.window import Window
    app.root = app.build()
    Window.add_widget(app.root)
    out = Path(args.out)
    language = args.lang or config.ui.language
    written = render_tour(app, out, tour_states(language, args.elderly))
    sheet = contact_sheet(written, out / "contact_sheet.png")
    print(f"{len(written)} screens and {sheet} written to {out}")
    return 0
