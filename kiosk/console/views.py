"""What one browser is sent: the kiosks its role sees, narrowed by branch and region, and paged.

Paging keeps staff's attention whole: every kiosk that needs it (offline, out of service, an
open alert) is always sent, and only the healthy ones are paged (`limit`), so a page of 10,000
kiosks is not 10,000 tiles and no alert is ever left off. Filtering and paging happen here, on
the server: a branch's page is not sent the whole region.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

MAX_LIMIT = 10_000


def needs_attention(kiosk: dict[str, Any]) -> bool:
    return kiosk["state"] != "online" or bool(kiosk["alerts"]) or \
        kiosk.get("service") == "outOfService"


@dataclass(frozen=True)
class KioskView:
    sees: Callable[[str], bool]           # the role's branches
    branch: str = ""
    region: str = ""
    limit: int | None = None              # healthy kiosks sent at most (None: all)
    regions: dict[str, str] | None = None  # branch -> region

    @classmethod
    def from_query(cls, query: Any, sees: Callable[[str], bool],
                   regions: dict[str, str]) -> "KioskView":
        limit = str(query.get("limit", ""))
        return cls(sees, str(query.get("branch", ""))[:64], str(query.get("region", ""))[:64],
                   min(int(limit), MAX_LIMIT) if limit.isdigit() else None, regions)

    def shows(self, branch: str) -> bool:
        return self.sees(branch) and (not self.branch or branch == self.branch) and \
            (not self.region or (self.regions or {}).get(branch) == self.region)

    def fetch(self, source: Any) -> dict[str, Any]:
        """This view's page of a ConsoleSource: the source builds only what the page sends."""
        return self.page(source.snapshot(self.shows, limit=self.limit))

    def page(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """The snapshot as this view sends it, with `total` kiosks in the view (the snapshot's
        own `total` when the source paged it already)."""
        kiosks = [k for k in snapshot["kiosks"] if self.shows(k["branch"])]
        if self.limit is not None:
            calm = [k for k in kiosks if not needs_attention(k)][:self.limit]
            kept = {k["kiosk"] for k in calm}
            shown = [k for k in kiosks if needs_attention(k) or k["kiosk"] in kept]
        else:
            shown = kiosks
        return {**snapshot, "kiosks": shown, "total": snapshot.get("total", len(kiosks)),
                "history": [h for h in snapshot["history"] if self.shows(h.get("branch", ""))]}

    def wants(self, kiosk: dict[str, Any], sent: set[str]) -> bool:
        """Whether a changed kiosk goes in a delta (it then counts as sent)."""
        if not self.shows(kiosk["branch"]):
            return False
        if self.limit is None or kiosk["kiosk"] in sent or needs_attention(kiosk):
            sent.add(kiosk["kiosk"])
            return True
        return False
