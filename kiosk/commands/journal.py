"""`kiosk journal verify|show`: check the electronic journal's hash chain, list recent rows."""
from __future__ import annotations

import argparse
import json

EXIT_BROKEN = 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("journal", help="the electronic journal: verify the chain, show rows")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check the hash chain; exit 1 where it breaks")
    show = actions.add_parser("show", help="the last rows (numbers are stored masked)")
    show.add_argument("--last", type=int, default=20, help="how many rows (default %(default)s)")
    show.add_argument("--kind", help="only rows of this kind prefix, e.g. transfer.")
    for action in (verify, show):
        action.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
        action.add_argument("--json", action="store_true", help="print JSON")
    verify.set_defaults(handler=_verify)
    show.set_defaults(handler=_show)


def _open(args: argparse.Namespace):
    from kiosk.config import load_config
    from kiosk.journal import Journal
    return Journal.from_config(load_config(args.config))


def _verify(args: argparse.Namespace) -> int:
    with _open(args) as journal:
        report = journal.verify()
    if args.json:
        print(json.dumps({"ok": report.ok, "rows": report.rows, "broken_at": report.broken_at,
                          "problem": report.problem}))
    elif report.ok:
        print(f"journal chain intact: {report.rows} rows")
    else:
        print(f"journal chain BROKEN at row {report.broken_at}: {report.problem}")
    return 0 if report.ok else EXIT_BROKEN


def _show(args: argparse.Namespace) -> int:
    with _open(args) as journal:
        rows = list(journal.entries(kind_prefix=args.kind))[-args.last:]
    for row in rows:
        if args.json:
            print(json.dumps({"id": row.id, "at": row.at, "kind": row.kind, "ref": row.ref,
                              "fields": row.fields}, ensure_ascii=False))
        else:
            print(row.id, row.at, row.kind, row.ref,
                  json.dumps(row.fields, ensure_ascii=False, sort_keys=True))
    return 0
