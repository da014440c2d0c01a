"""Privacy shield: the face check's cost on a 1280x720 camera frame shrunk to 320 px, on real
photographs (the lobby scenes of drivers/barcode/people_scenes), one check at a time as the
shield runs them (at most a few a second). Prints the figures."""
from __future__ import annotations

import statistics
import time

from drivers.barcode.faces import FaceCounter
from drivers.barcode.people_scenes import SCENES, scene

ROUNDS = 60


def main() -> None:
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


if __name__ == "__main__":
    main()
