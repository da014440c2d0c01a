"""An emulated camera: a short MJPG clip that cv2.VideoCapture reads through the real path.

The driver reads the clip at the camera's frame rate and reopens it at its end, so "present
this code" is the emulator atomically replacing the clip (write beside it, os.replace) with one
showing the code; the driver sees it within one loop of the clip (~0.5 s). Measured here:
writing a 15-frame 1280x720 MJPG clip takes ~150 ms, reopening it ~1 ms, reading a frame ~4 ms.
`camera_down` removes the clip (no frames: the driver reports camera=inoperative and reopens
with back-off), `camera_up` puts it back.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..emulation import Emulator, EmulatorAction
from . import code_images, people_scenes
from .samples import sample_codes

log = logging.getLogger(__name__)

CLIP_SECONDS = 0.5


class CameraEmulator(Emulator):
    kind = "camera"

    def __init__(self, clip: str | Path, *, width: int = 1280, height: int = 720, fps: int = 30,
                 video: str | Path | None = None):
        self.clip = Path(clip)
        self.width, self.height, self.fps = width, height, fps
        self.video = Path(video) if video else None
        self.samples = sample_codes()
        self.showing: str | None = None  # sample name in view, None for the empty scene
        self.people = "nobody"           # who stands in front of the kiosk (people_scenes)
        self.up = False
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, section: Any, config: Any) -> "CameraEmulator":
        video = config.path(section.emulator.video) if section.emulator.video else None
        clip = (config.path(section.emulator.clip) if section.emulator.clip
                else config.data_dir / "run" / "camera.avi")
        return cls(clip, width=section.width,
                   height=section.height, fps=section.fps, video=video)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.clip.parent.mkdir(parents=True, exist_ok=True)
        self.up = True
        self._write()

    def stop(self) -> None:
        self.up = False
        with self._lock:
            self.clip.unlink(missing_ok=True)

    def endpoint(self) -> dict[str, Any]:
        if self.video is not None:
            return {"source": str(self.video)}
        return {"source": str(self.clip)}

    def actions(self) -> list[EmulatorAction]:
        if self.video is not None:  # a recorded video plays as it is
            return []
        return [EmulatorAction("present_code", "emu.camera.present_code", tuple(self.samples)),
                EmulatorAction("withdraw_code", "emu.camera.withdraw_code"),
                EmulatorAction("show_people", "emu.camera.show_people", people_scenes.SCENES),
                EmulatorAction("camera_down", "emu.camera.camera_down"),
                EmulatorAction("camera_up", "emu.camera.camera_up")]

    # -- actions ------------------------------------------------------------------------------
    def action_present_code(self, choice: str) -> None:
        if choice not in self.samples:
            raise ValueError(f"camera emulator has no sample code {choice!r}")
        self.showing = choice
        self._write()

    def action_show_people(self, choice: str) -> None:
        if choice not in people_scenes.SCENES:
            raise ValueError(f"camera emulator has no people scene {choice!r}")
        self.people = choice
        self._write()

    def action_withdraw_code(self) -> None:
        self.showing = None
        self._write()

    def action_camera_down(self) -> None:
        log.info("camera emulator: camera down")
        self.up = False
        with self._lock:
            self.clip.unlink(missing_ok=True)

    def action_camera_up(self) -> None:
        log.info("camera emulator: camera up")
        self.up = True
        self._write()

    # -- the clip -----------------------------------------------------------------------------
    def frame(self) -> np.ndarray:
        """The picture the camera sees now."""
        if self.showing is None:
            if self.people != "nobody":
                return people_scenes.scene(self.people, self.width, self.height)
            return code_images.scene(self.width, self.height, noise=3)
        symbology, text = self.samples[self.showing]
        # held close enough to fill most of the picture, as a customer does
        modules = code_images.code_modules(symbology, text).shape[1]
        quiet = code_images.QUIET_MODULES * (2 if symbology == "QRCODE" else 6)
        fit = int(min(self.width * 0.75, self.height * 0.75 if symbology == "QRCODE"
                      else self.width) / (modules + quiet))
        module_px = max(2, min(6 if symbology == "QRCODE" else 4, fit))
        return code_images.scene(self.width, self.height, symbology, text, angle=-8,
                                 module_px=module_px, noise=3)

    def _write(self) -> None:
        if self.video is not None or not self.up:
            return
        picture = self.frame()
        with self._lock:
            tmp = self.clip.with_name(f".{self.clip.stem}.new{self.clip.suffix}")
            writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), self.fps,
                                     (self.width, self.height))
            if not writer.isOpened():
                raise OSError(f"camera emulator cannot write {tmp}")
            try:
                for _ in range(max(1, int(self.fps * CLIP_SECONDS))):
                    writer.write(picture)
            finally:
                writer.release()
            if self.up:
                os.replace(tmp, self.clip)
            else:
                tmp.unlink(missing_ok=True)
        log.info("camera emulator: showing %s", self.showing or "an empty scene")
