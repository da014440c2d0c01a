"""A camera read with OpenCV and decoded with zbar, on two threads of its own.

Capture thread: reads frames from the source (camera index, /dev/video path, URL, video file
or image sequence) into a two-slot queue that drops the oldest frame, so decoding always works
on a fresh picture. Files are read at the configured frame rate and start again at their end,
reopened each time so a file rewritten in place (the emulated camera) shows its new picture.
Decode thread: runs the step's Decoder (its fast pass on every frame, its full-resolution
fallback at most every FALLBACK_EVERY_S while nothing is found) and emits CodeReadEvent; it also keeps the found outline
for the preview. `poll()` turns "no frame for stale_after_s" into camera=inoperative and a
DeviceTimeout, which makes the device manager close and reopen the camera with back-off.
A V4L2 camera (index or /dev path, best a stable /dev/v4l/by-id/... path) is asked for the
configured pixel format (MJPG: 720p at 30 fps over USB 2, where raw YUYV gives ~10 fps), size
and rate; the `format` status says what was granted ("MJPG 1280x720 30fps").
"""
from __future__ import annotations

import os
import queue
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import cv2
import numpy as np

from ..errors import DeviceTimeout, NoDeviceError
from ..status import Camera
from .base import DEFAULT_REPEAT_WINDOW_S, BarcodeCapabilities, CameraDevice
from .decoder import (FALLBACK_EVERY_S, LINEAR, SYMBOLOGIES, Code, Decoder, Region,
                      check_symbologies)

OUTLINE_HOLD_S = 0.6  # how long the preview keeps showing a found code's outline
CONFIRM_WITHIN_S = 1.0  # a linear code counts once two frames this close read it alike


@dataclass(frozen=True)
class PreviewFrame:
    """The latest frame for the screen (BGR, shared: do not modify) and recent code outlines,
    both at preview size (at most `preview_width` wide)."""
    image: np.ndarray
    seq: int
    outlines: tuple[tuple[tuple[int, int], ...], ...] = ()
    scale: float = 1.0  # preview pixels per camera pixel


@dataclass
class CaptureStats:
    frames: int = 0
    dropped: int = 0
    decoded: int = 0
    fallbacks: int = 0  # frames also given the full-resolution pass (rate-limited)
    decode_ms: deque = field(default_factory=lambda: deque(maxlen=600))
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, Any]:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return {"frames": self.frames, "dropped": self.dropped, "decoded": self.decoded,
                "fps": round(self.frames / elapsed, 1),
                "decoded_fps": round(self.decoded / elapsed, 1), "fallbacks": self.fallbacks,
                "decode_ms_median": (round(statistics.median(self.decode_ms), 2)
                                     if self.decode_ms else None)}


def source_kind(source: str) -> str:
    """index, url, device, sequence or file."""
    if source.isdigit():
        return "index"
    if "://" in source:
        return "url"
    if source.startswith("/dev/"):
        return "device"
    if "%" in source:
        return "sequence"
    return "file"


class CameraReader(CameraDevice):
    def __init__(self, name: str, source: str, *, width: int = 1280, height: int = 720,
                 fps: int = 30, stale_after_s: float = 3.0,
                 symbologies: Sequence[str] = ("QRCODE",), decode_width: int = 640,
                 roi: Region | None = None, repeat_window_s: float = DEFAULT_REPEAT_WINDOW_S,
                 preview_width: int = 640, timeout: float = 5.0, fourcc: str = "MJPG"):
        super().__init__(name, port=source, timeout=timeout, repeat_window_s=repeat_window_s)
        if fps <= 0 or stale_after_s <= 0:
            raise ValueError(f"{name}: fps and stale_after_s must be positive")
        self.source = source
        self.source_kind = source_kind(source)
        if len(fourcc) != 4:
            raise ValueError(f"{name}: a pixel format is four characters (MJPG, YUYV), "
                             f"got {fourcc!r}")
        self.width, self.height, self.fps = width, height, fps
        self.fourcc = fourcc
        self.stale_after_s = stale_after_s
        # Screens show the camera in a box; uploading full 720p frames costs the UI thread
        # ~12 ms a frame with software GL, a 640-wide copy made here a quarter of that.
        self.preview_width = preview_width
        self.poll_interval = min(1.0, stale_after_s / 3)
        self._step = (check_symbologies(symbologies), decode_width, roi)
        self._step_version = 0
        self._frames: queue.Queue[tuple[int, np.ndarray]] = queue.Queue(maxsize=2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._capture: cv2.VideoCapture | None = None
        self._latest: PreviewFrame | None = None
        self._outlines: tuple[tuple[tuple[int, int], ...], ...] = ()
        self._outlines_at = 0.0
        self._last_frame_at = 0.0
        self._unconfirmed: dict[tuple[str, str], float] = {}
        self.stats = CaptureStats()

    @classmethod
    def from_config(cls, name: str, section: Any, config: Any) -> "CameraReader":
        source = str(section.source)
        if source_kind(source) in ("file", "sequence"):
            source = str(config.path(source))
        return cls(name, source, width=section.width, height=section.height, fps=section.fps,
                   stale_after_s=section.stale_after_s, symbologies=section.symbologies,
                   decode_width=section.decode_width,
                   roi=Region(*section.roi) if section.roi else None,
                   repeat_window_s=section.repeat_window_s,
                   preview_width=section.preview_width, timeout=section.timeout_s,
                   fourcc=section.fourcc)

    @property
    def capabilities(self) -> BarcodeCapabilities:
        return BarcodeCapabilities(model=f"opencv {self.source_kind}",
                                   symbologies=tuple(SYMBOLOGIES))

    # -- public -------------------------------------------------------------------------------
    def set_step(self, symbologies: Sequence[str] = ("QRCODE",), *,
                 roi: Region | None = None, decode_width: int | None = None) -> None:
        """Decode what the current step needs (e.g. EAN13+CODE128 in a bill's region)."""
        checked = check_symbologies(symbologies)
        with self._lock:
            width = self._step[1] if decode_width is None else decode_width
            self._step = (checked, width, roi)
            self._step_version += 1
        self.repeats.forget()

    def preview(self) -> PreviewFrame | None:
        """The latest frame with outlines found in the last moment; never blocks on the camera."""
        with self._lock:
            latest = self._latest
            recent = time.monotonic() - self._outlines_at < OUTLINE_HOLD_S
            outlines = self._outlines if recent else ()
        if latest is None:
            return None
        if outlines and latest.scale != 1.0:
            outlines = tuple(tuple((round(x * latest.scale), round(y * latest.scale))
                                   for x, y in outline) for outline in outlines)
        return PreviewFrame(latest.image, latest.seq, outlines, latest.scale)

    # -- hooks --------------------------------------------------------------------------------
    def _open(self) -> None:
        capture = self._open_capture()
        if capture is None:
            raise NoDeviceError("camera source cannot be opened", device=self.name,
                                port=self.source,
                                remedy="check the camera cable, or the source in the config")
        self._report_format(capture)
        self._stop.clear()
        self._capture = capture
        self.stats = CaptureStats()
        self._last_frame_at = time.monotonic()
        self._threads = [
            threading.Thread(target=self._capture_loop, name=f"{self.name}-capture", daemon=True),
            threading.Thread(target=self._decode_loop, name=f"{self.name}-decode", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout)
            if thread.is_alive():
                self.log.warning("%s: %s did not stop within %.1f s", self.name, thread.name,
                                 self.timeout)
        self._threads = []
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()
        self._drain()

    def _poll(self) -> None:
        silent = time.monotonic() - self._last_frame_at
        if silent > self.stale_after_s:
            self._set_status("camera", Camera.INOPERATIVE)
            raise DeviceTimeout(f"no picture for {silent:.1f} s", device=self.name,
                                port=self.source, remedy="check the camera cable and power")

    # -- capture ------------------------------------------------------------------------------
    def _open_capture(self) -> cv2.VideoCapture | None:
        ms = int(self.timeout * 1000)
        if self.source_kind == "index":
            capture = cv2.VideoCapture(int(self.source))
        elif self.source_kind == "device":
            # A stable path (/dev/v4l/by-id/usb-...-video-index0) is a symlink that udev points
            # at whichever /dev/videoN the camera got this time: resolved at every open, so a
            # camera unplugged and plugged back in is found again under its new node.
            node = os.path.realpath(self.source)
            if not os.path.exists(node):
                return None
            capture = cv2.VideoCapture(node, cv2.CAP_V4L2)
        elif self.source_kind == "url":
            capture = cv2.VideoCapture(self.source, cv2.CAP_FFMPEG,
                                       [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms,
                                        cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms])
        elif self.source_kind == "sequence":
            capture = cv2.VideoCapture(self.source, cv2.CAP_IMAGES)
        elif self.source_kind == "file" and not Path(self.source).is_file():
            return None
        else:
            capture = cv2.VideoCapture(self.source)
        if not capture.isOpened():
            capture.release()
            return None
        if self.source_kind in ("index", "device"):
            # the pixel format first: a V4L2 driver picks the sizes it offers for that format
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc))
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return capture

    def _report_format(self, capture: cv2.VideoCapture) -> None:
        """Say in the status what the source gives (a camera may grant less than asked)."""
        code = int(capture.get(cv2.CAP_PROP_FOURCC))
        fourcc = "".join(chr((code >> 8 * i) & 0xFF) for i in range(4)).strip("\x00 ") or "?"
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        fps = capture.get(cv2.CAP_PROP_FPS)
        granted = f"{fourcc} {width}x{height} {fps:g}fps"
        asked = f"{self.fourcc} {self.width}x{self.height} {self.fps:g}fps"
        if self.source_kind in ("index", "device") and granted != asked:
            self.log.warning("%s: asked for %s, the camera granted %s", self.name, asked, granted)
        self._set_status("format", granted)

    @property
    def _is_file(self) -> bool:
        return self.source_kind in ("file", "sequence")

    def _capture_loop(self) -> None:
        period = 1.0 / self.fps
        due = time.monotonic()
        seq = 0
        while not self._stop.is_set():
            capture = self._capture
            ok, frame = (capture.read() if capture is not None else (False, None))
            if not ok:
                if self._is_file:
                    self._reopen_file()  # the end of the clip: start again (maybe a new clip)
                else:
                    self._stop.wait(0.05)
                continue
            seq += 1
            now = time.monotonic()
            if self._last_frame_at and now - self._last_frame_at > self.stale_after_s:
                self.log.info("%s: frames are back", self.name)
            self._last_frame_at = now
            self._keep_for_preview(frame, seq)
            self.stats.frames += 1
            self._set_status("camera", Camera.OK)
            self._offer(seq, frame)
            if self._is_file:  # a file reads as fast as the disk: pace it like a camera
                due = max(due + period, now - period)
                self._stop.wait(max(0.0, due - time.monotonic()))

    def _keep_for_preview(self, frame: np.ndarray, seq: int) -> None:
        width = frame.shape[1]
        if self.preview_width and width > self.preview_width:
            scale = self.preview_width / width
            small = cv2.resize(frame, (self.preview_width, round(frame.shape[0] * scale)),
                               interpolation=cv2.INTER_AREA)
            latest = PreviewFrame(small, seq, scale=scale)
        else:
            latest = PreviewFrame(frame, seq)
        with self._lock:
            self._latest = latest

    def _reopen_file(self) -> None:
        old, self._capture = self._capture, None
        if old is not None:
            old.release()
        capture = self._open_capture()
        if capture is None:
            self._stop.wait(0.1)
            return
        if self._stop.is_set():
            capture.release()
            return
        self._capture = capture

    def _offer(self, seq: int, frame: np.ndarray) -> None:
        """Queue a frame for decoding, dropping the oldest waiting one when full."""
        while True:
            try:
                self._frames.put_nowait((seq, frame))
                return
            except queue.Full:
                try:
                    self._frames.get_nowait()
                    self.stats.dropped += 1
                except queue.Empty:
                    pass

    def _drain(self) -> None:
        while True:
            try:
                self._frames.get_nowait()
            except queue.Empty:
                return

    # -- decoding -----------------------------------------------------------------------------
    def _decode_loop(self) -> None:
        decoder: Decoder | None = None
        version = -1
        fallback_at = 0.0
        try:
            while not self._stop.is_set():
                try:
                    _, frame = self._frames.get(timeout=0.1)
                except queue.Empty:
                    continue
                with self._lock:
                    if version != self._step_version:
                        symbologies, width, roi = self._step
                        version = self._step_version
                        if decoder is not None:
                            decoder.close()
                        decoder = Decoder(symbologies, max_width=width, roi=roi)
                started = time.perf_counter()
                codes = decoder.decode(frame)
                if not codes and started - fallback_at >= FALLBACK_EVERY_S:
                    fallback_at = started
                    codes = decoder.decode_more(frame)
                    self.stats.fallbacks += 1
                self.stats.decode_ms.append((time.perf_counter() - started) * 1000)
                self.stats.decoded += 1
                if codes:
                    self._found(codes)
        except Exception:
            self.log.exception("%s: decoding stopped", self.name)
        finally:
            if decoder is not None:
                decoder.close()

    def _found(self, codes: list[Code]) -> None:
        now = time.monotonic()
        with self._lock:
            self._outlines = tuple(c.polygon for c in codes)
            self._outlines_at = now
        for code in codes:
            if code.symbology in LINEAR and not self._seen_twice(code, now):
                continue
            self._code_read(code.symbology, code.text, code.polygon)

    def _seen_twice(self, code: Code, now: float) -> bool:
        """Linear codes have no error correction: one is reported when a second frame within
        CONFIRM_WITHIN_S reads it alike (a held bill gives many frames; a misread rarely
        repeats)."""
        key = (code.symbology, code.text)
        first = self._unconfirmed.get(key)
        self._unconfirmed = {k: t for k, t in self._unconfirmed.items()
                             if now - t <= CONFIRM_WITHIN_S}
        if first is not None and now - first <= CONFIRM_WITHIN_S:
            return True
        self._unconfirmed[key] = now
        return False

