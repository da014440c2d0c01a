"""Alerts about the bank host: the link down and back, the kiosk's clock against the host's,
reversals waiting for the host (how many, and for how long).

    watch = HostWatch.from_config(config, center, host, backlog=transfers.reversal_backlog)
    host.observers.append(watch.on_exchange)   # a JournaledHost: customers' calls count too
    watch.check()                              # every [alerts] host_check_s, off the UI thread

`check` sends the host an echo test (ISO 8583 0800; the sandbox answers at once) and reads the
host's time from the answer; a failed echo counts like a failed customer exchange. The link is
"down" after `down_after` failed exchanges in a row and back at the first answer.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Callable

from ..host.link import HostError, HostMalformed
from .faults import Fault
from .model import Severity

log = logging.getLogger(__name__)

LINK_KEY, CLOCK_KEY, BACKLOG_KEY = "host.link", "host.clock", "host.reversals"
LINK_DOWN_REASONS = frozenset({"host_timeout", "host_unavailable"})
Backlog = Callable[[], "tuple[int, dt.datetime | None]"]


def _wall_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class HostWatch:
    def __init__(self, center: Any, host: Any, *, backlog: Backlog | None = None,
                 wall_clock: Callable[[], dt.datetime] = _wall_now, down_after: int = 2,
                 skew_limit_s: float = 120.0, backlog_max: int = 2,
                 backlog_age_s: float = 600.0):
        self.center = center
        self.host = host
        self._backlog = backlog
        self._wall = wall_clock
        self.down_after = down_after
        self.skew_limit_s = skew_limit_s
        self.backlog_max, self.backlog_age_s = backlog_max, backlog_age_s
        self._failures = 0
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Any, center: Any, host: Any, **kwargs: Any) -> "HostWatch":
        a = config.alerts
        return cls(center, host, down_after=a.host_down_after,
                   skew_limit_s=a.clock_skew_limit_s, backlog_max=a.reversal_backlog_max,
                   backlog_age_s=a.reversal_backlog_age_s, **kwargs)

    # -- the link --------------------------------------------------------------------------
    def on_exchange(self, operation: str, error: HostError | None) -> None:
        """How one host exchange ended: an answer of any kind (a decline too) means the link
        works; a timeout or no connection counts towards "down"; a garbled answer neither."""
        if error is None or error.reason not in LINK_DOWN_REASONS:
            if not isinstance(error, HostMalformed):
                self._link_up()
            return
        with self._lock:
            self._failures += 1
            failures = self._failures
        if failures >= self.down_after:
            self.center.raise_fault(Fault(
                LINK_KEY, "host.link_down", Severity.FAULT,
                f"bank host unreachable: {failures} exchanges in a row failed "
                f"(last: {operation}, {error})"), device="host",
                data={"failures": failures, "operation": operation, "reason": error.reason})

    def _link_up(self) -> None:
        with self._lock:
            self._failures = 0
        self.center.resolve_key(LINK_KEY, by="host")

    # -- the periodic check ------------------------------------------------------------------
    def check(self) -> None:
        """Echo test (link and clock), then the reversal backlog."""
        self.check_host()
        self.check_reversals()

    def check_host(self) -> float | None:
        """Echo the host; the kiosk's clock minus the host's in seconds, None unanswered."""
        try:
            host_time = self.host.echo()
        except HostError as exc:
            log.warning("echo test to the bank host failed: %s", exc)
            self.on_exchange("echo", exc)
            return None
        self.on_exchange("echo", None)
        skew = (self._wall() - host_time).total_seconds()
        if abs(skew) > self.skew_limit_s:
            self.center.raise_fault(Fault(
                CLOCK_KEY, "host.clock_skew", Severity.WARNING,
                f"kiosk clock is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} the "
                f"bank host's (limit {self.skew_limit_s:.0f} s): check time sync (NTP)"),
                device="host", data={"skew_s": round(skew, 1)})
        else:
            self.center.resolve_key(CLOCK_KEY, by="host")
        return skew

    def check_reversals(self) -> tuple[int, float] | None:
        """(reversals due, age of the oldest in seconds); an alert beyond either limit."""
        if self._backlog is None:
            return None
        count, oldest = self._backlog()
        age = max(0.0, (self._wall() - oldest).total_seconds()) if oldest else 0.0
        if count > self.backlog_max or (count and age > self.backlog_age_s):
            self.center.raise_fault(Fault(
                BACKLOG_KEY, "reversal.backlog", Severity.WARNING,
                f"{count} reversals waiting for the bank host, the oldest for {age:.0f} s "
                f"(limits: {self.backlog_max} reversals, {self.backlog_age_s:.0f} s)"),
                device="host", data={"count": count, "oldest_age_s": round(age)})
        else:
            self.center.resolve_key(BACKLOG_KEY, by="host")
        return count, age
