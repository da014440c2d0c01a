"""The session's own threads: every side effect of a customer's session runs here.

Three lanes: `jobs` (host calls, device I/O, printing, SQLite) on a small pool; `journal`
(rows written in order) and `events` (device events, in the order the devices sent them) on
one thread each. A touch on the UI thread, a device's watcher thread or the ticker only hands
work over, so none of them ever waits for a disk, a host or the session's lock.
"""
from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import Callable, Literal

log = logging.getLogger(__name__)

Lane = Literal["jobs", "journal", "events"]


class Worker:
    def __init__(self, lock: threading.RLock, *, workers: int = 2):
        self._idle = threading.Condition(lock)
        self._pending = 0
        pool = concurrent.futures.ThreadPoolExecutor
        self._lanes: dict[str, concurrent.futures.ThreadPoolExecutor] = {
            "events": pool(max_workers=1, thread_name_prefix="session-events"),
            "jobs": pool(max_workers=workers, thread_name_prefix="session"),
            "journal": pool(max_workers=1, thread_name_prefix="session-journal"),
        }

    def submit(self, lane: Lane, task: Callable[[], None]) -> None:
        """Run `task()` on the lane's thread; `wait_idle` waits for it."""
        with self._idle:
            self._pending += 1

        def run() -> None:
            try:
                task()
            except Exception:
                log.exception("session %s task failed", lane)
            finally:
                self._done()

        try:
            self._lanes[lane].submit(run)
        except RuntimeError:  # closing: the session is going away
            self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no task is queued or running (tests, benchmarks)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        for name, lane in self._lanes.items():  # events first: they may start jobs
            lane.shutdown(wait=True, cancel_futures=name != "journal")
