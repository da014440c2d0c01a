"""`kiosk journal verify|show`: check the journal's keyed chain and checkpoints, list recent rows."""
from __future__ import annotations

import argparse
import json

EXIT_BROKEN = 1


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("journal", help="the electronic journal: verify the chain, show rows")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check the keyed chain and checkpoints; exit 1 where it breaks")
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
    return Journal.from_config(load_config(args.config, resolve=False))


def _check(args: argparse.Namespace):
    """Verify without writing anything: no new tables, checkpoints or keys."""
    from kiosk.config import load_config
    from kiosk.journal import verify_chain
    from kiosk.journal_checkpoints import CheckpointStore
    from kiosk.keys import KeyRing
    config = load_config(args.config)
    keys = KeyRing.from_config(config)
    store_path = config.path(config.journal.checkpoints)
    store = CheckpointStore(store_path, keys.checkpoint) if store_path.exists() else None
    try:
        return verify_chain(config.path(config.journal.path), keys.journal, store)
    finally:
        if store is not None:
            store.close()


def _verify(args: argparse.Namespace) -> int:
    report = _check(args)
    mark = report.checkpoint
    if args.json:
        print(json.dumps({"ok": report.ok, "rows": report.rows, "broken_at": report.broken_at,
                          "problem": report.problem, "legacy_rows": report.legacy_rows,
                          "key_id": report.key_id,
                          "checkpoint": {"rows": mark.rows, "at": mark.at} if mark else None}))
        return 0 if report.ok else EXIT_BROKEN
    if report.ok:
        print(f"journal chain intact: {report.rows} rows, keyed with journal key {report.key_id}")
        if report.legacy_rows:
            print(f"  rows 1-{report.legacy_rows} are legacy rows from before the chain was "
                  "keyed (unkeyed hash; held by the keyed rows after them)")
        if mark:
            print(f"  latest checkpoint: {mark.rows} rows at {mark.at}")
    elif report.broken_at is not None:
        print(f"journal chain BROKEN at row {report.broken_at}: {report.problem}")
    else:
        print(f"journal chain BROKEN: {report.problem}")
    return 0 if report.ok else EXIT_BROKEN


def _show(args: argparse.Namespace) -> int:
    with _open(args) as journal:
        rows = list(journal.entries(kind_prefix=args.kind))[-args.last:]
    if not rows and not args.json:
        print("the journal is empty" if args.kind is None
              else f"no journal rows of kind {args.kind}*")
    for row in rows:
        if args.json:
            print(json.dumps({"id": row.id, "at": row.at, "kind": row.kind, "ref": row.ref,
                              "fields": row.fields}, ensure_ascii=False))
        else:
            print(row.id, row.at, row.kind, row.ref,
                  json.dumps(row.fields, ensure_ascii=False, sort_keys=True))
    return 0
