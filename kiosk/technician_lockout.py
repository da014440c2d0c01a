"""Wrong technician PINs and the lockout they cause, kept in the journal.

There is no state file to delete or edit: the count of wrong PINs and the lockout are replayed
from the journal's `technician.*` rows at start-up, and the journal is append-only and chained,
so removing a row leaves a trace `kiosk journal verify` names.

Time is the boot clock (CLOCK_BOOTTIME: monotonic, counts suspend, blind to wall-clock
changes). A `technician.locked` row holds the boot id and the boot-clock reading when it began:
a restart within the same boot keeps the exact time left; after a reboot the boot clock starts
again, so the lockout starts over in full (a reboot never shortens it) with a
`technician.lock_resumed` row.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
# rows that start a lockout, and rows that end it (a PIN accepted, or the time served)
LOCK_KINDS = ("technician.locked", "technician.lock_resumed")
CLEAR_KINDS = ("technician.entry", "technician.lock_expired")


def boot_clock() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def current_boot_id() -> str:
    try:
        return BOOT_ID.read_text().strip()
    except OSError:  # not Linux: every start counts as a new boot (the full lockout again)
        return ""


class TechnicianLockout:
    """`max_failures` wrong PINs in a row lock technician mode for `lockout_s` seconds."""

    def __init__(self, journal: Any | None, *, max_failures: int, lockout_s: float,
                 clock: Callable[[], float] = boot_clock, boot_id: str | None = None):
        self.journal = journal
        self.max_failures = max_failures
        self.lockout_s = float(lockout_s)
        self._clock = clock
        self._boot = current_boot_id() if boot_id is None else boot_id
        self._lock = threading.Lock()
        self._failures = 0
        self._until: float | None = None   # boot-clock time the lockout ends
        if journal is None:
            log.warning("no journal: technician PIN failures are only counted until a restart")
        else:
            self._replay()

    @property
    def failures(self) -> int:
        with self._lock:
            return self._failures

    @property
    def tries_left(self) -> int:
        with self._lock:
            return max(0, self.max_failures - self._failures)

    def locked_for_s(self) -> float:
        """Seconds of lockout left (0 when open); journals the end of a lockout once."""
        with self._lock:
            if self._until is None:
                return 0.0
            left = self._until - self._clock()
            if left > 0:
                return left
            self._until = None
        self._record("technician.lock_expired")
        return 0.0

    def failed(self, **fields: Any) -> int:
        """One more wrong PIN (`fields` go into its journal row); returns the tries left
        (0: now locked)."""
        with self._lock:
            self._failures += 1
            left = max(0, self.max_failures - self._failures)
        self._record("technician.pin_failed", tries_left=left, **fields)
        if left == 0:
            self._start_lock("technician.locked", self.lockout_s)
        return left

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._until = 0, None

    # -- internals -----------------------------------------------------------------------------
    def _start_lock(self, kind: str, seconds: float) -> None:
        since = self._clock()
        with self._lock:
            self._failures, self._until = 0, since + seconds
        self._record(kind, lockout_s=seconds, boot=self._boot, since=round(since, 3))

    def _record(self, kind: str, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(kind, **fields)

    def _replay(self) -> None:
        failures, lock = 0, None
        for row in self.journal.entries(kind_prefix="technician."):
            if row.kind == "technician.pin_failed":
                failures += 1
            elif row.kind in LOCK_KINDS:
                failures, lock = 0, row.fields
            elif row.kind in CLEAR_KINDS:
                failures, lock = 0, None
        self._failures = min(failures, self.max_failures)
        if lock is None:
            return
        seconds = max(self.lockout_s, float(lock.get("lockout_s") or 0))
        since = lock.get("since")
        if self._boot and lock.get("boot") == self._boot and isinstance(since, (int, float)):
            self._until = float(since) + seconds
            log.warning("technician mode locked for %.0f s more", max(0.0, self._until
                                                                       - self._clock()))
        else:
            log.warning("technician mode was locked before a reboot: locked %.0f s again",
                        seconds)
            self._start_lock("technician.lock_resumed", seconds)
