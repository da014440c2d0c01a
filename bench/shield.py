"""Privacy shield: the face check's cost on a 1280x720 camera frame shrunk to 320 px, on real
photographs (the lobby scenes of drivers/barcode/people_scenes), one check at a time as the
shield runs them (at most a few a second); then the QR pipeline's frame rate with the shield
looking at the same camera meanwhile. Prints the figures.

    .venv/bin/python bench/shield.py [--seconds 8]

The combined run: the camera emulator's 720p 30 fps MJPG clip read and decoded by the kiosk's
CameraReader (capture and decode threads, as in bench/barcode.py's live pipeline), alone and
with the kiosk's OnlookerShield checking the camera's latest frame at [shield] checks_per_s
(4, the default) and at the most the configuration allows (10), a QR code in view; and with
an onlooker in view instead (faces found; nothing to decode, so the full-resolution fallback
runs every 0.5 s). Targets (issue 20): a check <= 15 ms; the pipeline keeps its 30 fps.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from drivers.barcode.faces import FaceCounter
from drivers.barcode.people_scenes import SCENES, scene
from kiosk.config import ShieldSection
from kiosk.session.states import State, Step

ROUNDS = 60


def one_at_a_time() -> float:
    """The face check alone, scene by scene; the median over every scene (ms)."""
    counter = FaceCounter()
    print(f"face check at {counter.width} px (Haar frontal face, scale step 1.3)")
    every = []
    for kind in SCENES:
        frame = scene(kind)
        counter.onlookers(frame)                       # warm the cascade
        times = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            result = counter.onlookers(frame)
            times.append((time.perf_counter() - started) * 1000)
        every += times
        print(f"  {kind:11s} faces/onlookers {result}: median {statistics.median(times):5.1f} ms,"
              f" p95 {sorted(times)[int(len(times) * 0.95)]:5.1f} ms")
    print(f"all scenes: median {statistics.median(every):.1f} ms a frame (target <= 15 ms); at 4"
          f" checks a second that is {statistics.median(every) * 4 / 10:.1f}% of one core")
    return statistics.median(every)


class TimedCounter:
    """The shield's face count, timed: what each check cost while the pipeline ran."""

    def __init__(self, counter: FaceCounter):
        self.counter = counter
        self.ms: list[float] = []
        self.cpu_ms: list[float] = []      # the shield thread's own CPU (OpenCV's helpers not)
        self.lock = threading.Lock()

    def onlookers(self, frame: Any) -> tuple[int, int]:
        started, cpu = time.perf_counter(), time.thread_time()
        result = self.counter.onlookers(frame)
        with self.lock:
            self.ms.append((time.perf_counter() - started) * 1000)
            self.cpu_ms.append((time.thread_time() - cpu) * 1000)
        return result


def _phase(camera: Any, seconds: float, shield_rate: float | None,
           section: ShieldSection) -> dict[str, float]:
    """Run the pipeline `seconds` (with the shield at `shield_rate` checks a second, or
    without it) and read the figures of that time only."""
    from kiosk.shield import OnlookerShield
    timed = TimedCounter(FaceCounter(section.cascade, width=section.width,
                                     near_ratio=section.near_ratio))
    sent: list[dict[str, Any]] = []
    shield = None
    if shield_rate is not None:
        def latest() -> Any:
            preview = camera.preview()
            return preview.image if preview is not None else None
        shield = OnlookerShield(lambda _action, **args: sent.append(args), latest,
                                timed.onlookers, checks_per_s=shield_rate)
        shield.on_state(State(Step.PIN))                      # the PIN pad is on screen
    stats = camera.stats
    before = (stats.frames, stats.decoded, stats.dropped, stats.fallbacks)
    started = time.perf_counter()
    if shield is not None:
        shield.start()
    time.sleep(seconds)
    if shield is not None:
        shield.stop()
    elapsed = time.perf_counter() - started
    after = (stats.frames, stats.decoded, stats.dropped, stats.fallbacks)
    decoded = after[1] - before[1]
    decode_ms = list(stats.decode_ms)[-decoded:] if decoded else [0.0]
    checks = sorted(timed.ms) or [0.0]
    return {"captured_fps": (after[0] - before[0]) / elapsed,
            "decoded_fps": decoded / elapsed, "dropped": after[2] - before[2],
            "fallbacks": after[3] - before[3],
            "decode_p50": statistics.median(decode_ms),
            "decode_p95": sorted(decode_ms)[int(len(decode_ms) * 0.95)],
            "checks_per_s": len(timed.ms) / elapsed,
            "check_p50": statistics.median(checks),
            "check_p95": checks[int(len(checks) * 0.95)],
            "check_cpu_p50": statistics.median(timed.cpu_ms or [0.0]),
            "shield_raised": any(a.get("present") for a in sent)}


def pipeline_with_face_check(seconds: float) -> bool:
    """The QR pipeline alone and with the shield's face check beside it; True if it kept up."""
    from drivers.barcode.camera import CameraReader
    from drivers.barcode.camera_emulator import CameraEmulator
    section = ShieldSection()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        emulator = CameraEmulator(Path(tmp) / "camera.avi", width=1280, height=720, fps=30)
        emulator.start()
        emulator.perform("present_code", "transfer_form")
        camera = CameraReader("camera", str(emulator.clip), fps=30)
        camera.open()
        try:
            time.sleep(1.0)                                   # capture and decode under way
            rows.append(("QR code in view, no face check", _phase(camera, seconds, None, section)))
            for rate in (section.checks_per_s, 10.0):
                rows.append((f"QR code in view, face check {rate:g}/s",
                             _phase(camera, seconds, rate, section)))
            emulator.perform("withdraw_code")
            emulator.perform("show_people", "onlooker")
            time.sleep(1.5)                                   # the clip changes within a loop
            rows.append(("onlooker in view, no face check", _phase(camera, seconds, None, section)))
            rows.append((f"onlooker in view, face check {section.checks_per_s:g}/s",
                         _phase(camera, seconds, section.checks_per_s, section)))
        finally:
            camera.close()
            emulator.stop()
    print(f"QR pipeline (720p 30 fps MJPG clip, capture + decode threads) with the face check at "
          f"{section.width} px beside it, {seconds:g} s each:")
    kept_up = True
    for name, r in rows:
        check = (f"{r['checks_per_s']:4.1f} checks/s, check median {r['check_p50']:5.1f} ms, "
                 f"p95 {r['check_p95']:5.1f} ms, CPU median {r['check_cpu_p50']:4.1f} ms" + (", shield raised" if r["shield_raised"] else "")
                 if r["checks_per_s"] else "no checks")
        print(f"  {name:36s}: {r['captured_fps']:5.1f} fps captured, {r['decoded_fps']:5.1f} "
              f"decoded, {r['dropped']:3d} dropped, decode median {r['decode_p50']:5.1f} ms "
              f"(p95 {r['decode_p95']:5.1f}), {r['fallbacks']} fallbacks; {check}")
        kept_up &= r["decoded_fps"] >= 0.98 * r["captured_fps"] >= 0.98 * 29
    return kept_up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="how long each combined run lasts (0: skip them)")
    args = parser.parse_args()
    median = one_at_a_time()
    kept_up = pipeline_with_face_check(args.seconds) if args.seconds > 0 else True
    checks = {"face check <= 15 ms": median <= 15,
              "QR pipeline keeps 30 fps with the check": kept_up}
    for name, ok in checks.items():
        print(f"target {name:40s}: {'met' if ok else 'MISSED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
