"""`kiosk tour --out DIR [--lang zh_CN|en] [--elderly] [--journey NAME ...]`: the customer
journeys walked on emulated devices and the sandbox bank, every screen they reach to PNG.

Renders with no display (SDL_VIDEODRIVER=offscreen unless a display is there). Writes
DIR/<variant>/<journey>/<NN-step>.png, a contact sheet per journey, and DIR/layout.txt with
the layout check's findings. The chip card journeys need pcscd with vsmartcard-vpcd (started
if it is not running). Exit 0 when every journey got through, 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("tour", help="walk the customer journeys, every screen to PNG")
    parser.add_argument("--out", required=True, help="folder for the PNG files")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default=None,
                        help="only this language (default: zh_CN and en, each in normal and larger text)")
    parser.add_argument("--elderly", action="store_true",
                        help="larger text only (with --lang: that language in larger text)")
    parser.add_argument("--journey", action="append", default=None, metavar="NAME",
                        help="only this journey (repeatable); default: all")
    parser.set_defaults(handler=tour)


def variants(lang: str | None, elderly: bool) -> tuple[str, ...]:
    if lang is None and not elderly:
        from screens.tour.runner import DEFAULT_VARIANTS
        return DEFAULT_VARIANTS
    languages = (lang,) if lang else ("zh_CN", "en")
    return tuple(f"{language}-large" if elderly else language for language in languages)


def tour(args: argparse.Namespace) -> int:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    for name in ("KIVY_NO_ARGS", "KIVY_NO_CONSOLELOG", "KIVY_NO_FILELOG", "KIVY_NO_CONFIG"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    # Kivy's default log mode lowers the root level to debug (every PNG chunk PIL reads);
    # the tour reports its own progress and warnings only
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kiosk.config import load_config
    from screens.tour.harness import close_app, open_app, write_config
    from screens.tour.journeys import JOURNEYS, journey
    from screens.tour.runner import run_tour
    try:
        journeys = [journey(n) for n in args.journey] if args.journey else list(JOURNEYS)
    except KeyError as exc:
        print(f"kiosk: {exc.args[0]}", file=sys.stderr)
        return 2
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="kiosk-tour-app-") as tmp:
        app = open_app(load_config(write_config(Path(tmp), chipcard=False)))
        try:
            run = run_tour(app, out, journeys, variants(args.lang, args.elderly))
        finally:
            close_app(app)
    out.mkdir(parents=True, exist_ok=True)
    (out / "layout.txt").write_text("".join(p + "\n" for p in run.problems), encoding="utf-8")
    unreachable = [str(s.path) for s in run.shots if not s.reachable]
    print(f"{len(run.shots)} screens of {len(journeys)} journeys and {len(run.sheets)} contact "
          f"sheets written to {out}; layout findings: {len(run.problems)} (layout.txt)")
    for line in run.failures + [f"{p}: not the session's state" for p in unreachable]:
        print(f"kiosk tour: {line}", file=sys.stderr)
    return 1 if run.failures or unreachable else 0
