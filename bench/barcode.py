"""Barcode decoding benchmark: prints decode time, frame rate and read rate.

    .venv/bin/python bench/barcode.py [--coded 200] [--empty 40] [--seed 7]

Frames are 1280x720 camera scenes with a QR code held up at a random place, turned up to
+-25 degrees, blurred and noisy (Chinese counter forms, appointments, receipts), plus empty
scenes. The kiosk's decoder (QR only, 640-wide downscale, zbar binary mode) and a naive pass
(pyzbar on the full frame, all symbologies, as most examples do it) run on the same frames.
Then the live pipeline runs with the Kivy preview offscreen, and the UI's frame intervals are
printed (the UI must stay smooth while decoding).
Targets (issue 6): >= 30 fps on 2 cores, >= 10x the naive pass, >= 99 % read, Chinese text
never garbled. Decode time only: frame capture (~4 ms for MJPG 720p) runs on its own thread.

Real photos (issue 18): the shared phone and webcam photos (../shared/data/real-photos beside
the clone, `--photos` to point elsewhere) set by set, read by the kiosk's still-picture pass,
by naive pyzbar and by zxing-cpp with its defaults; then drawn photos (slant, blur, dim light,
JPEG). Target: the kiosk reads at least as many as the better of the two, and nothing wrong.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

# This file's folder must not shadow python-barcode's `barcode` package (used to draw bills).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import numpy as np  # noqa: E402
from pyzbar import pyzbar  # noqa: E402

from drivers.barcode import code_images  # noqa: E402
from drivers.barcode.decoder import Decoder, Region  # noqa: E402
from drivers.barcode.samples import sample_codes  # noqa: E402

WIDTH, HEIGHT = 1280, 720


def make_frames(coded: int, empty: int, seed: int) -> list[tuple[np.ndarray, str | None]]:
    rng = np.random.default_rng(seed)
    samples = sample_codes()
    texts = [samples[n][1] for n in ("transfer_form", "account_opening_form", "appointment",
                                     "receipt")]
    frames: list[tuple[np.ndarray, str | None]] = []
    for i in range(coded + empty):
        text = texts[i % len(texts)] if i < coded else None
        frame = code_images.scene(
            WIDTH, HEIGHT, "QRCODE" if text else None, text or "",
            angle=float(rng.uniform(-25, 25)), blur=float(rng.uniform(0, 1.5)),
            noise=float(rng.uniform(2, 12)), module_px=int(rng.integers(5, 8)),
            centre=(int(rng.integers(420, WIDTH - 420)), int(rng.integers(300, HEIGHT - 300))),
            seed=int(rng.integers(0, 1_000_000)))
        frames.append((frame, text))
    return frames


def run_ours(frames, workers: int) -> tuple[list[float], list[list[str]], float]:
    """Decode every frame on `workers` threads (one zbar scanner each, as the driver does)."""
    times: list[float] = [0.0] * len(frames)
    found: list[list[str]] = [[] for _ in frames]
    next_index = iter(range(len(frames)))
    lock = threading.Lock()

    def work() -> None:
        with Decoder(("QRCODE",), max_width=640) as decoder:
            while True:
                with lock:
                    i = next(next_index, None)
                if i is None:
                    return
                started = time.perf_counter()
                codes = decoder.decode(frames[i][0])
                times[i] = (time.perf_counter() - started) * 1000
                found[i] = [c.text for c in codes]

    threads = [threading.Thread(target=work) for _ in range(workers)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, found, time.perf_counter() - wall


def run_side_by_side(frames):
    """Ours and the naive pass frame by frame, one after the other, so that load from other
    processes on the machine weighs on both alike. Wall and CPU (this thread's) milliseconds:
    CPU time does not grow when other processes share the cores."""
    ours_ms, ours_cpu, ours_found, naive_ms, naive_cpu, naive_found = [], [], [], [], [], []
    with Decoder(("QRCODE",), max_width=640) as decoder:
        for frame, _ in frames:
            started, cpu = time.perf_counter(), time.thread_time()
            codes = decoder.decode(frame)
            ours_ms.append((time.perf_counter() - started) * 1000)
            ours_cpu.append((time.thread_time() - cpu) * 1000)
            ours_found.append([c.text for c in codes])
            started, cpu = time.perf_counter(), time.thread_time()
            naive = pyzbar.decode(frame)
            naive_ms.append((time.perf_counter() - started) * 1000)
            naive_cpu.append((time.thread_time() - cpu) * 1000)
            naive_found.append([c.data.decode("utf-8", errors="replace") for c in naive])
    return ours_ms, ours_cpu, ours_found, naive_ms, naive_cpu, naive_found


def bill_step(count: int, seed: int) -> tuple[float, float]:
    """The bill step: EAN-13 and Code 128 bills laid in the tray (turned up to +-10 degrees),
    decoded in the tray's region at full resolution. Returns (median ms, read rate)."""
    rng = np.random.default_rng(seed)
    samples = sample_codes()
    bills = [samples["utility_bill_ean13"], samples["utility_bill_code128"]]
    times, hits = [], 0
    with Decoder(("EAN13", "CODE128"), max_width=0, roi=Region(0.1, 0.2, 0.8, 0.6)) as decoder:
        for i in range(count):
            symbology, text = bills[i % 2]
            frame = code_images.scene(WIDTH, HEIGHT, symbology, text,
                                      angle=float(rng.uniform(-10, 10)),
                                      blur=float(rng.uniform(0, 1.0)),
                                      noise=float(rng.uniform(2, 10)), module_px=3,
                                      seed=int(rng.integers(0, 1_000_000)))
            started = time.perf_counter()
            codes = decoder.decode(frame)
            times.append((time.perf_counter() - started) * 1000)
            hits += any(c.text == text and c.symbology == symbology for c in codes)
    return statistics.median(times), hits / count


def rates(frames, found) -> tuple[float, float, int]:
    coded = [(t, f) for (_, t), f in zip(frames, found) if t]
    exact = sum(1 for t, f in coded if t in f)
    detected = sum(1 for t, f in coded if f)
    false_reads = sum(1 for (_, t), f in zip(frames, found) if not t and f)
    return exact / len(coded), detected / len(coded), false_reads


def photo_table(sets: dict[str, list]) -> bool:
    """Print the real-photo table; True when the kiosk reads >= both naive decoders everywhere
    and reports no wrong code."""
    from tests.barcode.photo_sets import SYMBOLOGIES, naive_pyzbar, naive_zxing, score

    print(f"{'photo set':12s} {'photos':>6s} {'kiosk':>6s} {'wrong':>6s} {'pyzbar':>7s} "
          f"{'zxing-cpp':>9s}   kiosk ms/photo median / worst")
    all_ok = True
    with Decoder(SYMBOLOGIES, max_width=0) as decoder:
        for name, photos in sets.items():
            counts = {"kiosk": 0, "wrong": 0, "pyzbar": 0, "zxing": 0}
            times = []
            for photo in photos:
                image = photo.image()
                started = time.perf_counter()
                result = score(photo, [c.text for c in decoder.decode_still(image)])
                times.append((time.perf_counter() - started) * 1000)
                counts["kiosk"] += result == "read"
                counts["wrong"] += result == "wrong"
                counts["pyzbar"] += score(photo, naive_pyzbar(image)) == "read"
                counts["zxing"] += score(photo, naive_zxing(image)) == "read"
            ok = counts["kiosk"] >= max(counts["pyzbar"], counts["zxing"]) and not counts["wrong"]
            all_ok &= ok
            print(f"{name:12s} {len(photos):6d} {counts['kiosk']:6d} {counts['wrong']:6d} "
                  f"{counts['pyzbar']:7d} {counts['zxing']:9d}   "
                  f"{statistics.median(times):5.1f} / {max(times):5.1f}"
                  f"{'' if ok else '   MISSED'}")
    return all_ok


def drawn_photos(count: int, seed: int) -> bool:
    """Drawn phone photos of a QR code and an EAN-13: every reader on the same pictures."""
    from drivers.barcode.code_images import photo
    from tests.barcode.photo_sets import SYMBOLOGIES, naive_pyzbar, naive_zxing, same_text

    rng = np.random.default_rng(seed)
    all_ok = True
    with Decoder(SYMBOLOGIES, max_width=0) as still, Decoder(SYMBOLOGIES) as live:
        for symbology, text in (("QRCODE", "BKF1|transfer|payee_name=张测试|"
                                           "payee_account=6222021234567890128|amount=1"),
                                ("EAN13", "6901234567892")):
            readers = {"kiosk still": lambda im: [c.text for c in still.decode_still(im)],
                       "kiosk live fast": lambda im: [c.text for c in live.decode(im)],
                       "kiosk live fallback": lambda im: [c.text for c in live.decode_more(im)],
                       "pyzbar": naive_pyzbar, "zxing-cpp": naive_zxing}
            read = dict.fromkeys(readers, 0)
            wrong = dict.fromkeys(readers, 0)
            for i in range(count):
                image = photo(symbology, text, tilt=float(rng.uniform(0, 0.25)),
                              angle=float(rng.uniform(-30, 30)),
                              contrast=float(rng.uniform(0.25, 1.0)),
                              blur=float(rng.uniform(0, 2.0)), noise=float(rng.uniform(0, 10)),
                              code_width=int(rng.integers(120, 300)), seed=seed * 1000 + i)
                for name, reader in readers.items():
                    texts = reader(image)
                    hit = any(same_text(t, text) for t in texts)
                    read[name] += hit
                    wrong[name] += bool(texts) and not hit
            print(f"drawn {symbology:7s}: " + ", ".join(
                f"{n} {read[n]}/{count}" + (f" ({wrong[n]} wrong)" if wrong[n] else "")
                for n in readers))
            all_ok &= read["kiosk still"] >= max(read["pyzbar"], read["zxing-cpp"]) \
                and wrong["kiosk still"] == 0
    return all_ok


def _frame_intervals(event_loop, seconds: float) -> list[float]:
    """Milliseconds between UI frames while the loop runs for `seconds`, sorted."""
    intervals = []
    end = time.perf_counter() + seconds
    last = time.perf_counter()
    while time.perf_counter() < end:
        event_loop.idle()
        now = time.perf_counter()
        intervals.append((now - last) * 1000)
        last = now
    return sorted(intervals)


def ui_while_decoding(seconds: float) -> dict[str, float]:
    """The real pipeline at 720p 30 fps (emulated camera clip -> capture -> decode) shown by
    the Kivy preview in an offscreen window: UI frame intervals and the camera's figures."""
    import tempfile

    for key, value in (("SDL_VIDEODRIVER", "offscreen"), ("KIVY_NO_ARGS", "1"),
                       ("KIVY_NO_CONSOLELOG", "1"), ("KIVY_NO_FILELOG", "1"),
                       ("KIVY_NO_CONFIG", "1")):
        os.environ.setdefault(key, value)
    from kivy.base import EventLoop
    from kivy.core.window import Window

    from drivers.barcode.camera import CameraReader
    from drivers.barcode.camera_emulator import CameraEmulator
    from screens.widgets.camera_preview import CameraPreview

    with tempfile.TemporaryDirectory() as tmp:
        emulator = CameraEmulator(Path(tmp) / "camera.avi", width=WIDTH, height=HEIGHT, fps=30)
        emulator.start()
        emulator.perform("present_code", "transfer_form")
        camera = CameraReader("camera", str(emulator.clip), fps=30)
        camera.open()
        EventLoop.ensure_window()
        baseline = _frame_intervals(EventLoop, min(2.0, seconds))  # UI with nothing to show
        preview = CameraPreview(camera, fps=30, size_hint=(None, None), size=Window.size)
        Window.add_widget(preview)
        preview.start()
        intervals = _frame_intervals(EventLoop, seconds)
        # nothing in view: the live fallback's full-resolution pass runs every 0.5 s
        emulator.perform("withdraw_code")
        _frame_intervals(EventLoop, 1.0)  # the clip changes within one loop of it
        before = (camera.stats.frames, camera.stats.decoded, camera.stats.fallbacks,
                  len(camera.stats.decode_ms))
        empty_intervals = _frame_intervals(EventLoop, seconds)
        after = (camera.stats.frames, camera.stats.decoded, camera.stats.fallbacks)
        empty_ms = list(camera.stats.decode_ms)[-(after[1] - before[1]):] if after[1] > before[1] \
            else [0.0]
        preview.stop()
        Window.remove_widget(preview)
        stats = camera.stats.summary()
        camera.close()
        emulator.stop()
    return {"ui_fps": len(intervals) / seconds,
            "baseline_p50": baseline[len(baseline) // 2],
            "baseline_p99": baseline[int(len(baseline) * 0.99)],
            "ui_interval_p50": intervals[len(intervals) // 2],
            "ui_interval_p99": intervals[int(len(intervals) * 0.99)],
            "ui_interval_max": intervals[-1],
            "preview_frames": preview.frames_shown / seconds,
            "camera_fps": stats["fps"], "camera_decode_ms": stats["decode_ms_median"] or 0.0,
            "camera_decoded_fps": stats["decoded_fps"], "fallbacks": stats["fallbacks"],
            "empty_fps": (after[0] - before[0]) / seconds,
            "empty_decoded_fps": (after[1] - before[1]) / seconds,
            "empty_fallbacks": after[2] - before[2],
            "empty_decode_ms": statistics.median(empty_ms), "empty_decode_max": max(empty_ms),
            "empty_ui_p99": empty_intervals[int(len(empty_intervals) * 0.99)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coded", type=int, default=200)
    parser.add_argument("--empty", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ui-seconds", type=float, default=5.0,
                        help="how long to run the live pipeline with the Kivy preview (0: skip)")
    parser.add_argument("--photos", type=Path, default=None,
                        help="real-photo folder (default ../shared/data/real-photos)")
    parser.add_argument("--drawn", type=int, default=40, help="drawn photos per symbology")
    args = parser.parse_args()

    from tests.barcode.photo_sets import load_sets, photos_dir
    folder = args.photos or photos_dir()
    photos_ok = True
    if folder is None or not folder.is_dir():
        print("real photos: folder not found (../shared/data/real-photos); table skipped")
    else:
        photos_ok = photo_table(load_sets(folder))
    photos_ok &= drawn_photos(args.drawn, args.seed)

    started = time.perf_counter()
    frames = make_frames(args.coded, args.empty, args.seed)
    print(f"frames: {args.coded} with a code + {args.empty} empty, {WIDTH}x{HEIGHT}, "
          f"made in {time.perf_counter() - started:.1f} s; cores: {os.cpu_count()}")

    ours_ms, ours_cpu, ours_found, naive_ms, naive_cpu, naive_found = run_side_by_side(frames)
    _, _, wall2 = run_ours(frames, workers=2)
    exact, detected, false_reads = rates(frames, ours_found)
    chinese = [(t, f) for (_, t), f in zip(frames, ours_found) if t and "测试" in t]
    chinese_ok = sum(1 for t, f in chinese if t in f)
    chinese_garbled = sum(1 for t, f in chinese if f and t not in f)
    empty_ms = [ms for ms, (_, t) in zip(ours_ms, frames) if not t]
    fps1 = 1000 / statistics.mean(ours_ms)
    fps2 = len(frames) / wall2

    n_exact, n_detected, _ = rates(frames, naive_found)
    n_garbled = sum(1 for (_, t), f in zip(frames, naive_found) if t and "测试" in t and f
                    and t not in f)
    speedup = statistics.mean(naive_ms) / statistics.mean(ours_ms)
    speedup_cpu = statistics.mean(naive_cpu) / statistics.mean(ours_cpu)
    capacity = 2 * 1000 / statistics.mean(ours_cpu)  # two decode threads, one per core

    print(f"kiosk decoder  : median {statistics.median(ours_ms):6.1f} ms/frame, mean "
          f"{statistics.mean(ours_ms):6.1f} ms, empty frames {statistics.mean(empty_ms):5.1f} ms")
    print(f"                 {fps1:6.1f} fps on 1 thread, {fps2:6.1f} fps on 2 threads (wall clock)")
    print(f"                 CPU {statistics.mean(ours_cpu):5.1f} ms/frame: {capacity:6.1f} fps "
          f"on 2 cores (unaffected by other load on the machine)")
    print(f"                 read {exact:.1%} exact ({detected:.1%} found), "
          f"Chinese read {chinese_ok}/{len(chinese)} (garbled {chinese_garbled}), false reads on empty frames {false_reads}")
    print(f"naive pyzbar   : median {statistics.median(naive_ms):6.1f} ms/frame, mean "
          f"{statistics.mean(naive_ms):6.1f} ms, {1000 / statistics.mean(naive_ms):5.1f} fps, "
          f"read {n_exact:.1%} exact ({n_detected:.1%} found), Chinese garbled {n_garbled}")
    print(f"speed-up       : {speedup:.1f}x the naive pass (wall clock), {speedup_cpu:.1f}x (CPU)")
    bill_ms, bill_rate = bill_step(40, args.seed)
    print(f"bill step      : EAN-13 / Code 128 in the tray region at full resolution: median "
          f"{bill_ms:.1f} ms/frame, read {bill_rate:.1%}")
    if args.ui_seconds > 0:
        ui = ui_while_decoding(args.ui_seconds)
        print(f"live pipeline  : camera {ui['camera_fps']:.1f} fps captured, "
              f"{ui['camera_decoded_fps']:.1f} fps decoded, decode median "
              f"{ui['camera_decode_ms']:.1f} ms (emulated 720p MJPG clip), "
              f"{ui['fallbacks']} full-resolution fallbacks")
        print(f"UI meanwhile   : {ui['ui_fps']:.1f} frames/s, frame interval p50 "
              f"{ui['ui_interval_p50']:.1f} ms, p99 {ui['ui_interval_p99']:.1f} ms, max "
              f"{ui['ui_interval_max']:.1f} ms; preview {ui['preview_frames']:.1f} new frames/s")
        print(f"nothing in view: camera {ui['empty_fps']:.1f} fps captured, "
              f"{ui['empty_decoded_fps']:.1f} fps decoded, decode median "
              f"{ui['empty_decode_ms']:.1f} ms, worst {ui['empty_decode_max']:.1f} ms, "
              f"{ui['empty_fallbacks']} fallbacks in {args.ui_seconds:.0f} s; UI p99 "
              f"{ui['empty_ui_p99']:.1f} ms")
        print(f"UI alone       : frame interval p50 {ui['baseline_p50']:.1f} ms, "
              f"p99 {ui['baseline_p99']:.1f} ms (same window, nothing to show)")
    # the emulated camera gives 30 fps (a little less when other work shares the cores):
    # the live pipeline keeps up when it decodes every frame captured
    live_ok = args.ui_seconds <= 0 or (
        ui["camera_decoded_fps"] >= 0.98 * ui["camera_fps"] >= 0.98 * 29
        and ui["empty_decoded_fps"] >= 0.98 * ui["empty_fps"] >= 0.98 * 29)
    checks = {"fps >= 30 on 2 cores": max(fps2, capacity) >= 30,
              "live: every frame decoded": live_ok,
              "speed-up >= 10x": max(speedup, speedup_cpu) >= 10,
              "read >= 99%": exact >= 0.99, "Chinese never garbled": chinese_garbled == 0,
              "photos >= pyzbar, zxing-cpp": photos_ok}
    for name, ok in checks.items():
        print(f"target {name:24s}: {'met' if ok else 'MISSED'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
