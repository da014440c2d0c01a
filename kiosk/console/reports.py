"""What the console reads from the fleet service's PostgreSQL (kiosk.fleet.service.FleetStore):
availability per kiosk and branch over the last day, week or month with downtime by cause, and
how long staff took to acknowledge alerts. Branch staff see only their branch's rows.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)

PERIODS = {"day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}
GROUPS = ("kiosk", "branch")
# a report's tables as CSV: column -> the row's field (seconds and shares as plain numbers)
TABLES = {"availability": {"availability": "availability", "online_s": "online",
                           "lost_s": "lost", "shutdown_s": "shutdown"},
          "ack": {"alerts": "alerts", "acknowledged": "acknowledged", "median_s": "median_s",
                  "p90_s": "p90_s", "max_s": "max_s"}}


class FleetReports:
    def __init__(self, store: Any, *, clock: Callable[[], float] = time.time):
        self.store = store
        self._clock = clock
        self._lock = threading.Lock()

    @classmethod
    def from_dsn(cls, dsn: str) -> "FleetReports":
        from ..fleet.service import FleetStore
        return cls(FleetStore(dsn))

    def close(self) -> None:
        self.store.close()

    def report(self, period: str, by: str, branch: str = "") -> dict[str, Any]:
        """{"availability": [row...] worst first, "ack": [row...] slowest first}; each row
        names its kiosk or branch in "key" (and the kiosk's branch in "branch")."""
        if period not in PERIODS or by not in GROUPS:
            raise ValueError("period day, week or month; by kiosk or branch")
        end = self._clock()
        start = end - PERIODS[period]
        with self._lock:
            availability = self.store.availability(start, end, by=by)
            ack = self.store.ack_times(start, end, by=by)
            branches = self.store.branches() if by == "kiosk" else {}

        def rows(table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for key, row in table.items():
                home = branches.get(key, "") if by == "kiosk" else key
                if not branch or home == branch:
                    out.append({"key": key, "branch": home, **row})
            return out
        return {"period": period, "by": by, "start": start, "end": end,
                "availability": sorted(rows(availability),
                                       key=lambda r: (r["availability"], r["key"])),
                "ack": sorted(rows(ack), key=lambda r: (-(r["median_s"] or 0), r["key"]))}


def report_csv(report: dict[str, Any], table: str, branch_names: dict[str, str]) -> str:
    """One table of `report` as CSV, rows in the page's order; the branch's name beside its
    code (the console's [console] branches)."""
    from .export import csv_text

    columns = TABLES[table]
    names = ["kiosk", "branch"] if report["by"] == "kiosk" else ["branch"]

    def number(value: Any) -> Any:
        return round(value, 6) if isinstance(value, float) else value
    rows = ([*([row["key"]] if report["by"] == "kiosk" else []), row["branch"],
             branch_names.get(row["branch"], ""), *(number(row[f]) for f in columns.values())]
            for row in report[table])
    return csv_text([*names, "branch_name", *columns], rows)
