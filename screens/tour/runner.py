"""Walk the tour's journeys on driven kiosks, in each language and text size, saving every shot
as <out>/<variant>/<journey>/<NN-step>.png with the layout check's findings, and a contact
sheet per journey (<out>/<variant>/<journey>/contact_sheet.png)."""
from __future__ import annotations

import contextlib
import logging
import math
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator

from kiosk.session.states import Step

from .harness import DrivenKiosk
from .journeys import JOURNEYS, Journey, Shot, Walk
from .layout import layout_problems

log = logging.getLogger(__name__)

# variant name -> (language, larger text)
VARIANTS = {"zh_CN": ("zh_CN", False), "en": ("en", False),
            "zh_CN-large": ("zh_CN", True), "en-large": ("en", True)}
DEFAULT_VARIANTS = ("zh_CN", "en", "zh_CN-large", "en-large")


@dataclass
class TourRun:
    shots: list[Shot] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)     # journeys that did not get through
    sheets: list[Path] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"{s.path}: {p}" for s in self.shots for p in s.problems]


def run_tour(app: Any, out: Path, journeys: Iterable[Journey] = JOURNEYS,
             variants: Iterable[str] = DEFAULT_VARIANTS, *, frames: int = 2) -> TourRun:
    """Every journey in every variant on a fresh driven kiosk (its own sandbox bank)."""
    journeys = tuple(journeys)
    if any(j.chipcard for j in journeys):
        from drivers.chipcard.pcscd import ensure_pcscd
        ensure_pcscd()
    run = TourRun()
    with _unpaced_frames():
        _run(app, out, journeys, variants, frames, run)
    return run


@contextlib.contextmanager
def _unpaced_frames() -> Iterator[None]:
    """Frames as fast as they render: nobody watches the offscreen window, so Kivy's clock need
    not sleep to hold its frame rate (about a fifth of the tour's time otherwise)."""
    from kivy.clock import Clock
    max_fps = Clock._max_fps
    Clock._max_fps = 0
    try:
        yield
    finally:
        Clock._max_fps = max_fps


def _run(app: Any, out: Path, journeys: tuple[Journey, ...], variants: Iterable[str],
         frames: int, run: TourRun) -> None:
    for variant in variants:
        language, larger = VARIANTS[variant]
        for journey in journeys:
            folder = out / variant / journey.name
            shots = _walk(app, journey, folder, language, larger, run, frames)
            run.shots.extend(shots)
            if shots:
                run.sheets.append(contact_sheet([s.path for s in shots],
                                                folder / "contact_sheet.png"))


def _walk(app: Any, journey: Journey, folder: Path, language: str, larger: bool,
          run: TourRun, frames: int) -> list[Shot]:
    folder.mkdir(parents=True, exist_ok=True)

    def record(walk: Walk, name: str, step: Step) -> Shot:
        k = walk.kiosk
        state = k.session.state
        number = len(walk.shots) + 1
        shot = Shot(journey.name, number, name, step.value, state.step.value,
                    state.message_id, walk.at(state.step))
        path = screenshot(folder / f"{shot.stem}.png", frames)
        return replace(shot, path=path, problems=tuple(layout_problems(k.app)))

    with tempfile.TemporaryDirectory(prefix="kiosk-tour-") as tmp:
        kiosk = DrivenKiosk(app, Path(tmp), chipcard=journey.chipcard, camera=journey.camera,
                            **journey.kiosk)
        walk = Walk(journey, kiosk, record)
        try:
            kiosk.session.send("language", language=language)
            if larger:
                kiosk.session.send("elderly")
            kiosk.wait(lambda: app.language == language and app.elderly == larger,
                       f"{language}{' larger text' if larger else ''}")
            journey.script(walk)
        except Exception as exc:  # the rest of the tour still runs; the failure is reported
            log.exception("tour: %s stopped", journey.name)
            screenshot(folder / "stopped.png", frames)
            run.failures.append(f"{folder}: {exc}")
        finally:
            if journey.chipcard:   # seen gone by this kiosk, not by the next journey's
                kiosk.emulator("chipcard").perform("remove_card")
                try:
                    kiosk.wait_media("chipcard", "notPresent")
                except AssertionError:
                    log.warning("tour: the card of %s was not seen removed", journey.name)
            kiosk.stop()
    return walk.shots


def screenshot(target: Path, frames: int = 2) -> Path:
    """The window as it is now, to `target`."""
    from kivy.base import EventLoop
    from kivy.core.window import Window
    for _ in range(frames):
        EventLoop.idle()
    saved = Path(Window.screenshot(name=str(target)))
    saved.replace(target)      # Kivy adds a counter to the name: keep the plain one
    log.info("tour: %s", target)
    return target


def contact_sheet(pngs: list[Path], target: Path, columns: int = 4,
                  thumb_width: int = 400) -> Path:
    """One PNG with every screen, captioned with its file name."""
    from PIL import Image, ImageDraw
    images = [Image.open(p).convert("RGB") for p in pngs]
    ratio = images[0].height / images[0].width
    thumb_h = int(thumb_width * ratio)
    caption = 26
    rows = math.ceil(len(images) / columns)
    sheet = Image.new("RGB", (columns * (thumb_width + 16) + 16,
                              rows * (thumb_h + caption + 16) + 16), (40, 44, 52))
    draw = ImageDraw.Draw(sheet)
    for i, (path, image) in enumerate(zip(pngs, images)):
        x = 16 + (i % columns) * (thumb_width + 16)
        y = 16 + (i // columns) * (thumb_h + caption + 16)
        sheet.paste(image.resize((thumb_width, thumb_h)), (x, y))
        draw.text((x, y + thumb_h + 6), path.stem, fill=(235, 235, 235))
    sheet.save(target)
    return target
