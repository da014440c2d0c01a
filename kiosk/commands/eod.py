"""`kiosk eod --date YYYY-MM-DD [--json] [--csv PATH]`: end-of-day reconciliation."""
from __future__ import annotations

import argparse
import datetime as dt

EXIT_UNBALANCED = 1
EXIT_PRINT_FAILED = 4


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eod", help="end of day: reconcile the journal with the host")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.add_argument("--date", type=day, default=dt.date.today(),
                        help="the day, YYYY-MM-DD (default today)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--csv", metavar="PATH", help="also write the figures as CSV")
    parser.add_argument("--print", action="store_true", dest="print_report",
                        help="print the report on the configured receipt printer")
    parser.set_defaults(handler=_run)


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: expected YYYY-MM-DD, e.g. 2026-12-03") from None


def _run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.eod import build_report, to_json, write_csv
    from kiosk.host.factory import open_host
    from kiosk.journal import Journal
    config = load_config(args.config)
    host = open_host(config)
    try:
        with Journal.from_config(config) as journal:
            report = build_report(journal, host, config.host.terminal_id, args.date)
    finally:
        host.close()
    if args.csv:
        write_csv(report, args.csv)
    if args.json:
        print(to_json(report))
    else:
        _print_table(report)
    if args.print_report and not _print_report(report, config):
        return EXIT_PRINT_FAILED
    return 0 if report.balanced else EXIT_UNBALANCED


def _print_report(report, config) -> bool:
    from drivers.errors import DeviceError
    from drivers.printer.escpos_serial import EscPosPrinter
    from kiosk.documents.slip import SlipContext
    from kiosk.eod import eod_document
    document = eod_document(report, SlipContext.for_kiosk(config))
    printer = EscPosPrinter.from_config("printer", config.devices.printer, config)
    try:
        printer.open()
        printer.print_document(document)
    except DeviceError as exc:
        print(f"end-of-day report not printed: {exc}")
        return False
    finally:
        printer.close()
    return True


def _print_table(report) -> None:
    verdict = "NOT BALANCED" if not report.balanced else (
        "NO TRANSFERS (nothing to balance)" if report.empty else "BALANCED")
    print(f"end of day {report.day}  terminal {report.terminal_id}  {verdict}")
    print(f"  journal chain {report.journal_chain}, {report.rows} rows that day")
    for kind in sorted(set(report.kiosk_totals) | set(report.host_totals)):
        mine, theirs = report.kiosk_totals.get(kind), report.host_totals.get(kind)
        print(f"  {kind:10} kiosk {mine.count if mine else 0:>4} {(mine.amount_fen if mine else 0) / 100:>14,.2f}"
              f"   host {theirs.count if theirs else 0:>4} {(theirs.amount_fen if theirs else 0) / 100:>14,.2f}")
    print(f"  declined {sum(report.declined.values())}  refused {sum(report.refused.values())}  "
          f"reversed {len(report.reversed)}  pending {len(report.pending)}  held {len(report.held)}")
    print(f"  device faults {sum(report.device_faults.values())}  receipts printed "
          f"{report.receipts_printed}")
    for text in report.differences:
        print("  DIFFERENCE:", text)
