"""End of day: reconcile the journal with the host for one terminal and day.

The kiosk's side comes from the journal (approved, declined, reversed, still open and held
transfers, device faults, receipts printed); the host's side from its settlement totals (0500).
The report is balanced when both agree transfer by transfer (STAN) and in every total.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kiosk.host.link import HostLink
from kiosk.host.models import KindTotals
from kiosk.journal import Journal
from kiosk.transfers import CLOSING

log = logging.getLogger(__name__)


@dataclass
class EodReport:
    day: str
    terminal_id: str
    kiosk_totals: dict[str, KindTotals] = field(default_factory=dict)   # kind -> approved totals
    host_totals: dict[str, KindTotals] = field(default_factory=dict)
    declined: dict[str, int] = field(default_factory=dict)              # reason -> count
    refused: dict[str, int] = field(default_factory=dict)               # kiosk risk refusals
    reversed: list[dict] = field(default_factory=list)                  # ref, amount_fen
    pending: list[str] = field(default_factory=list)                    # refs still open
    held: list[dict] = field(default_factory=list)                      # ref, amount_fen, state
    device_faults: dict[str, int] = field(default_factory=dict)         # device -> count
    receipts_printed: int = 0
    differences: list[str] = field(default_factory=list)
    journal_chain: str = "intact"          # or what `journal verify` found broken
    rows: int = 0                          # journal rows of the day

    @property
    def balanced(self) -> bool:
        return not self.differences and not self.pending

    @property
    def empty(self) -> bool:
        """Nothing to balance: no transfer on either side (an empty day is not "BALANCED")."""
        return not (self.kiosk_totals or self.host_totals or self.declined or self.refused
                    or self.reversed or self.pending or self.held)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["balanced"] = self.balanced
        data["empty"] = self.empty
        return data


def build_report(journal: Journal, host: HostLink, terminal_id: str, day: dt.date) -> EodReport:
    iso_day = day.isoformat()
    report = EodReport(iso_day, terminal_id)
    kiosk_totals: dict[str, list[int]] = {}
    kiosk_stans: set[int] = set()
    declined, refused, faults = Counter(), Counter(), Counter()
    held: dict[str, dict] = {}
    chain = journal.verify()
    if not chain.ok:
        report.journal_chain = f"broken at row {chain.broken_at}: {chain.problem}"
        report.differences.append(f"journal chain {report.journal_chain}")
    for entry in journal.entries(day=iso_day):
        report.rows += 1
        f = entry.fields
        if entry.kind == "transfer.approved":
            totals = kiosk_totals.setdefault(f["kind"], [0, 0, 0])
            totals[0] += 1
            totals[1] += f["amount_fen"]
            totals[2] += f.get("fee_fen", 0)
            kiosk_stans.add(f["stan"])
        elif entry.kind == "transfer.declined":
            declined[f.get("reason", "")] += 1
        elif entry.kind == "transfer.refused":
            refused[f.get("reason", "")] += 1
        elif entry.kind == "transfer.reversed":
            report.reversed.append({"ref": entry.ref, "amount_fen": f.get("amount_fen", 0)})
        elif entry.kind == "transfer.held":
            held[entry.ref] = {"ref": entry.ref, "amount_fen": f["amount_fen"], "state": "held"}
        elif entry.kind in ("transfer.released", "transfer.rejected") and entry.ref in held:
            held[entry.ref]["state"] = entry.kind.split(".")[1]
        elif entry.kind == "device.fault":
            faults[f.get("device", "unknown")] += 1
        elif entry.kind == "receipt.printed":
            report.receipts_printed += 1
    report.kiosk_totals = {k: KindTotals(*v) for k, v in sorted(kiosk_totals.items())}
    report.declined, report.refused = dict(declined), dict(refused)
    report.device_faults = dict(faults)
    report.held = list(held.values())
    report.pending = journal.open_refs("transfer.pending", CLOSING)

    host_view = host.settlement(terminal_id, day)
    report.host_totals = dict(sorted(host_view.by_kind.items()))
    host_stans = set(host_view.approved_stans)
    for stan in sorted(kiosk_stans - host_stans):
        report.differences.append(f"STAN {stan:06d} approved at the kiosk, not at the host")
    for stan in sorted(host_stans - kiosk_stans):
        report.differences.append(f"STAN {stan:06d} approved at the host, not in the journal")
    for kind in sorted(set(report.kiosk_totals) | set(report.host_totals)):
        mine = report.kiosk_totals.get(kind, KindTotals())
        theirs = report.host_totals.get(kind, KindTotals())
        if mine != theirs:
            report.differences.append(
                f"{kind}: kiosk {mine.count} / {mine.amount_fen} fen, host {theirs.count} / "
                f"{theirs.amount_fen} fen")
    log.info("end of day %s for %s: %s", iso_day, terminal_id,
             "balanced" if report.balanced else f"{len(report.differences)} differences")
    return report


def to_json(report: EodReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def write_csv(report: EodReport, path: str | Path) -> None:
    """One row per figure: section, item, count, amount_fen, fee_fen."""
    rows: list[tuple] = []
    for side, totals in (("kiosk", report.kiosk_totals), ("host", report.host_totals)):
        for kind, t in totals.items():
            rows.append((f"{side}_approved", kind, t.count, t.amount_fen, t.fee_fen))
    rows += [("declined", reason, n, "", "") for reason, n in report.declined.items()]
    rows += [("refused", reason, n, "", "") for reason, n in report.refused.items()]
    rows += [("reversed", r["ref"], 1, r["amount_fen"], "") for r in report.reversed]
    rows += [("pending", ref, 1, "", "") for ref in report.pending]
    rows += [(f"held_{h['state']}", h["ref"], 1, h["amount_fen"], "") for h in report.held]
    rows += [("device_faults", device, n, "", "") for device, n in report.device_faults.items()]
    rows.append(("receipts_printed", "", report.receipts_printed, "", ""))
    rows += [("difference", text, "", "", "") for text in report.differences]
    rows.append(("balanced", "yes" if report.balanced else "no", "", "", ""))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("section", "item", "count", "amount_fen", "fee_fen"))
        writer.writerows(rows)


KIND_LABELS = {"own": ("本人账户互转", "Own accounts"),
               "intrabank": ("行内转账", "Within the bank"),
               "interbank": ("跨行转账", "To other banks")}


def eod_document(report: EodReport, ctx):
    """The printable end-of-day report (kiosk.documents.report) for these figures, printed in
    the slip context `ctx` (kiosk.documents.slip.SlipContext)."""
    from kiosk.documents.report import DayTotal, end_of_day_report
    totals = [DayTotal(*KIND_LABELS.get(kind, (kind, kind)), t.count, t.amount_fen)
              for kind, t in report.kiosk_totals.items()]
    totals.append(DayTotal("冲正", "Reversed", len(report.reversed),
                           sum(r["amount_fen"] for r in report.reversed)))
    totals.append(DayTotal("未成功", "Declined", sum(report.declined.values())))
    totals.append(DayTotal("待处理", "Pending", len(report.pending)))
    return end_of_day_report(dt.date.fromisoformat(report.day), totals,
                             ctx,
                             faults=sum(report.device_faults.values()),
                             receipts_printed=report.receipts_printed)
