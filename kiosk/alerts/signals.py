"""Alerts no single device status gives: a device flapping, the data disk nearly full, the
journal's chain broken at start-up.

    signals = OperatorSignals(center, data_dir=config.data_dir)
    unsubscribe = bus.subscribe(signals.on_status, StatusChanged)
    signals.check_journal(journal)    # once at start-up, off the UI thread (it walks the chain)
    signals.check_disk()              # now and then
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any, Callable

from drivers.base import StatusChanged

from ..device_conditions import RAISED, RESOLVED, ConditionTracker
from .faults import Fault
from .model import Severity

log = logging.getLogger(__name__)

FLAP_CHANGES = 6        # this many status changes of one device...
FLAP_WINDOW_S = 60.0    # ...within this long is flapping
DISK_MIN_FREE = 0.10    # below a tenth of the data disk free, staff are told
DISK_KEY, JOURNAL_KEY = "kiosk.disk", "journal.chain"


class OperatorSignals:
    def __init__(self, center: Any, *, data_dir: Path, clock: Callable[[], float] = time.monotonic,
                 statvfs: Callable[[str], Any] = os.statvfs,
                 flap_changes: int = FLAP_CHANGES, flap_window_s: float = FLAP_WINDOW_S,
                 disk_min_free: float = DISK_MIN_FREE):
        self.center = center
        self.data_dir = Path(data_dir)
        self._clock = clock
        self._statvfs = statvfs
        self.flap_changes, self.flap_window_s = flap_changes, flap_window_s
        self.disk_min_free = disk_min_free
        self._changes: dict[str, deque[float]] = defaultdict(deque)
        self._conditions = ConditionTracker()
        self._open: dict[str, str] = {}    # outcome key -> the open condition's code
        self._lock = threading.Lock()

    def on_status(self, event: StatusChanged) -> None:
        """Count a device's changes of condition (kiosk.device_conditions: a condition starting,
        ending or turning into another; not the status fields that change with them, not a
        card coming and going, not the same condition reported again by a reconnect attempt);
        many within a minute is one flapping alert."""
        with self._lock:
            changed = self._condition_changed(event)
        if not changed:
            return
        now = self._clock()
        changes = self._changes[event.device]
        changes.append(now)
        while changes and now - changes[0] > self.flap_window_s:
            changes.popleft()
        if len(changes) >= self.flap_changes:
            self.center.raise_fault(Fault(f"{event.device}.flapping", "device.flapping",
                                          Severity.WARNING,
                                          f"{event.device} changed condition {len(changes)} "
                                          f"times in {self.flap_window_s:.0f} s: check its "
                                          "cable and power"), device=event.device)
            changes.clear()

    def _condition_changed(self, event: StatusChanged) -> bool:
        changed = False
        for outcome in self._conditions.note(event):
            if outcome.action == RAISED and self._open.get(outcome.key) != outcome.code:
                self._open[outcome.key] = outcome.code
                changed = True
            elif outcome.action == RESOLVED and self._open.pop(outcome.key, None) is not None:
                changed = True
        return changed

    def check_disk(self) -> float:
        """The data disk's free share; below `disk_min_free` an alert, above it resolved."""
        st = self._statvfs(str(self.data_dir))
        free = st.f_bavail / st.f_blocks if st.f_blocks else 0.0
        if free < self.disk_min_free:
            self.center.raise_fault(Fault(DISK_KEY, "disk.nearly_full", Severity.FAULT,
                                          f"data disk nearly full: {free:.0%} free "
                                          f"({st.f_bavail * st.f_frsize // 2**20} MiB) at "
                                          f"{self.data_dir}"), device="kiosk")
        else:
            self.center.resolve_key(DISK_KEY, by="kiosk")
        return free

    def check_journal(self, journal: Any) -> bool:
        """Walk the journal's chain once; a broken chain is a critical alert naming the row."""
        report = journal.verify()
        if report.ok:
            return True
        log.error("journal chain broken at row %s: %s", report.broken_at, report.problem)
        self.center.raise_fault(Fault(JOURNAL_KEY, "journal.chain_broken", Severity.CRITICAL,
                                      f"journal chain broken at row {report.broken_at}: "
                                      f"{report.problem}"), device="journal")
        return False
