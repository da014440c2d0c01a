"""UI benchmark: prints cold start to the attract screen, screen transition times and resident
memory over many simulated customer sessions, all offscreen.

    .venv/bin/python bench/ui.py [--sessions 1000] [--starts 3]

Targets: cold start < 2 s; every transition < 100 ms; RSS grows < 10 MB over 1,000 sessions.
- cold start: a fresh `python` process (the `kiosk run` path: config, KioskCore, the app)
  until the first frame showing the attract screen;
- transition: from a new session state to the finished frame that shows it (render, draw,
  and the software GL done drawing), per step; the frame before is finished first, as it is
  long before a customer's next touch;
- memory: sessions driven through the real Session and rendered by the app (start, menu,
  language switch, elderly mode, a queue ticket, rating, goodbye, attract).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

for _name, _value in (("SDL_VIDEODRIVER", "offscreen"), ("KIVY_NO_ARGS", "1"),
                      ("KIVY_NO_CONSOLELOG", "1"), ("KIVY_NO_FILELOG", "1"),
                      ("KIVY_NO_CONFIG", "1")):
    os.environ.setdefault(_name, _value)

CONFIG = """
[kiosk]
data_dir = "var"
[ui]
font = "{font}"
[devices.chipcard]
enabled = false
[devices.idcard]
enabled = false
[devices.printer]
enabled = false
[devices.camera]
enabled = false
[devices.scanner]
enabled = false
"""

# The child of the cold-start measurement: the `kiosk run` path, stopping at the first
# frame that shows the attract screen. It prints seconds since its own interpreter started.
COLD_START = r"""
import os, sys, time
sys.path.insert(0, {root!r})
from kiosk.config import load_config
from kiosk.core import KioskCore
from screens.app import KioskApp, configure_kivy
config = load_config({config!r})
core = KioskCore(config)
core.start()
configure_kivy(config.ui)
from kivy.clock import Clock
app = KioskApp(config, core.session, devices=core.devices)
def check(_dt):
    if app.root is not None and app.rendered and app.root.manager.current == "attract":
        print("ATTRACT", time.monotonic() - {t0!r}, flush=True)
        app.stop()
        return False
Clock.schedule_interval(check, 0)
app.run()
core.stop()
"""


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_config(folder: Path) -> Path:
    path = folder / "kiosk.toml"
    from kiosk.resources import FONT
    path.write_text(CONFIG.format(font=FONT), encoding="utf-8")
    return path


def cold_start(config: Path, starts: int) -> list[float]:
    """Seconds from launching the process to the attract screen's first frame."""
    figures = []
    for _ in range(starts):
        t0 = time.monotonic()
        code = COLD_START.format(root=str(ROOT), config=str(config), t0=t0)
        # the child measures against our t0: CLOCK_MONOTONIC is system-wide on Linux
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60, env=dict(os.environ))
        lines = [l for l in out.stdout.splitlines() if l.startswith("ATTRACT")]
        if not lines:
            raise RuntimeError(f"cold start failed:\n{out.stderr[-2000:]}")
        figures.append(float(lines[0].split()[1]))
    return figures


def build_app(config_path: Path):
    from kiosk.config import load_config
    from screens.app import KioskApp, configure_kivy
    config = load_config(config_path)
    configure_kivy(config.ui)
    from kivy.config import Config
    Config.set("graphics", "maxfps", "0")   # measure work, not the frame-rate cap
    from kivy.core.window import Window
    app = KioskApp(config, session=None)
    app.root = app.build()
    Window.size = (config.ui.width, config.ui.height)
    Window.add_widget(app.root)
    # a customer takes seconds between touches, so the quiet-time collection is not delayed
    # here but runs in the frame after the attract screen's
    app.collector.delay = 0
    app.prepare()                              # as `kiosk run` does after the first frame
    from screens.widgets import pinyin_input
    while not (app.root.prebuilt and pinyin_input.ready()):
        frame()
    return config, app


def frame() -> None:
    from kivy.base import EventLoop
    EventLoop.idle()


def transitions(app, elderly: bool = False
                ) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
    """For each tour state, first time shown and shown again later: (ms until the frame is
    drawn, ms of that on the UI thread). In larger text, the switch to it is made first."""
    from screens.tour.samples import tour_states
    states = tour_states("zh_CN", elderly) + tour_states("en", elderly)
    if elderly:
        app.on_session_state(states[0][1])
        frame()
    from kivy.graphics.opengl import glFinish
    from kivy.uix.label import Label
    times: dict[str, list[float]] = {}
    for _ in range(2):
        for stem, state in states:
            frame()
            glFinish()        # the last screen is on the glass (a customer takes seconds)
            t0 = time.perf_counter()
            app.on_session_state(state)        # as the session hands it over
            frame()                            # the trigger renders it, then the frame draws
            ui_ms = (time.perf_counter() - t0) * 1000
            glFinish()                         # ...and the software GL has finished drawing
            elapsed = (time.perf_counter() - t0) * 1000
            screen = app.root.manager.current_screen
            blank = [w for w in screen.walk() if isinstance(w, Label) and w.text
                     and w.texture is None]
            if screen.name != state.step.value or blank:
                raise RuntimeError(f"{stem} was not fully drawn in one frame")
            times.setdefault(f"{state.language}/{stem}", []).append((elapsed, ui_ms))
    return {k: (v[0], v[-1]) for k, v in times.items()}


def switches(app, rounds: int = 4) -> dict[str, list[float]]:
    """ms until drawn for the attract screen's own switches: language, larger text."""
    import dataclasses
    from screens.tour.samples import tour_states
    from kivy.graphics.opengl import glFinish
    attract = dict(tour_states("zh_CN"))["attract"]
    app.on_session_state(attract)      # from whatever was shown before: not one of the switches
    frame()
    times: dict[str, list[float]] = {"language": [], "larger text": []}
    for _ in range(rounds):
        for label, changes in (("language", {"language": "en"}), ("language", {}),
                               ("larger text", {"elderly": True}), ("larger text", {})):
            frame()
            glFinish()
            t0 = time.perf_counter()
            app.on_session_state(dataclasses.replace(attract, **changes))
            frame()
            glFinish()
            times[label].append((time.perf_counter() - t0) * 1000)
    return times


def sessions(app, config, count: int) -> tuple[float, float, float]:
    """Drive `count` customer sessions; RSS after a warm-up, at the end, and the peak."""
    from kiosk.session.clock import ManualClock
    from kiosk.session.machine import Session
    from kiosk.session.services import Services
    from kiosk.session.states import Step
    from kiosk.session.ticket_queue import TicketQueue
    clock = ManualClock()
    session = Session(config, Services(tickets=TicketQueue()), now=clock)
    app.use(session)
    app.use_clock(clock)

    def act(action: str, **args) -> None:
        session.send(action, **args)
        session.wait_idle(5)
        frame()

    warm, peak = 0.0, 0.0
    warm_up = min(50, count // 10)
    for n in range(count + warm_up):
        act("language", language="en" if n % 2 else "zh_CN")
        act("elderly", on=n % 3 == 0)
        act("start")
        act("choose", option="ticket")
        if session.state.step == Step.IDENTIFY:
            act("skip")
        if session.state.step == Step.TICKET_SERVICE:
            act("choose", service="general")
        act("done")
        if session.state.step == Step.TAKE_ITEMS:
            act("done")
        if session.state.step == Step.RATING:
            act("rate", score=1 + n % 5)
        clock.advance(10)
        session.tick()
        frame()
        if session.state.step != Step.ATTRACT:
            raise RuntimeError(f"session {n} ended in {session.state.step}")
        if n == warm_up - 1:
            import gc
            gc.collect()
            warm = rss_mb()
        peak = max(peak, rss_mb())
    import gc
    gc.collect()
    session.close()
    return warm, rss_mb(), peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        config_path = write_config(Path(tmp))
        starts = cold_start(config_path, args.starts)
        print(f"cold start to attract screen: median {statistics.median(starts):.2f} s, "
              f"max {max(starts):.2f} s over {len(starts)} starts (target < 2 s)")
        config, app = build_app(config_path)
        for text, elderly in (("", False), (", larger text", True)):
            figures = transitions(app, elderly)
            for label, index in (("first showing", 0), ("shown again", 1)):
                drawn = sorted(((v[index][0], k) for k, v in figures.items()), reverse=True)
                thread = [v[index][1] for v in figures.values()]
                print(f"screen transitions{text}, {label} ({len(figures)} states): drawn "
                      f"median {statistics.median(d for d, _ in drawn):.1f} ms, max "
                      f"{drawn[0][0]:.1f} ms ({drawn[0][1]}); UI thread median "
                      f"{statistics.median(thread):.1f} ms, max {max(thread):.1f} ms "
                      "(target < 100 ms)")
        for label, values in switches(app).items():
            print(f"switch of {label} on the attract screen: drawn median "
                  f"{statistics.median(values):.1f} ms, max {max(values):.1f} ms "
                  f"({len(values)} switches; the screens out of view catch up as they are shown)")
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
              "software GL shares them)")
        t0 = time.monotonic()
        warm, end, peak = sessions(app, config, args.sessions)
        print(f"resident memory over {args.sessions} sessions: {warm:.1f} MB after warm-up, "
              f"{end:.1f} MB at the end (growth {end - warm:+.1f} MB, peak {peak:.1f} MB; "
              f"target growth < 10 MB) in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
