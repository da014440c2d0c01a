"""`kiosk host seed|reset|show|serve`: manage the sandbox bank and serve it over ISO 8583."""
from __future__ import annotations

import argparse
import json
import signal
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("host", help="the sandbox bank: seed, reset, show, serve over ISO 8583")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text in (("seed", "create the invented customers if the bank is empty"),
                       ("reset", "empty the sandbox bank and seed it again"),
                       ("show", "customers, masked card numbers, balances")):
        action = actions.add_parser(name, help=text)
        action.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
        action.add_argument("--json", action="store_true", help="print JSON")
        action.set_defaults(handler=_manage)
    serve = actions.add_parser("serve", help="serve the sandbox bank over ISO 8583 on TCP")
    serve.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    serve.add_argument("--listen", default="127.0.0.1:8583", help="HOST:PORT (default %(default)s)")
    serve.set_defaults(handler=_serve)


def _bank(args: argparse.Namespace):
    from kiosk.config import load_config
    from kiosk.host.sandbox import SandboxBank
    return SandboxBank.from_config(load_config(args.config))


def _manage(args: argparse.Namespace) -> int:
    bank = _bank(args)
    try:
        if args.action == "seed":
            created = bank.seed()
            print("seeded" if created else "already seeded", bank.path)
            return 0
        if args.action == "reset":
            bank.reset()
            print("reset and seeded", bank.path)
            return 0
        summary = bank.summary()
        problems = bank.ledger_problems()
        if args.json:
            print(json.dumps(summary | {"problems": problems}, ensure_ascii=False, indent=2))
        else:
            for acc in summary["accounts"]:
                print(f"{acc['holder']}  {acc['number']}  {acc['kind']:8} "
                      f"{acc['balance_fen'] / 100:>12,.2f}  {acc['card_status']}")
            print(f"entries {summary['entries']}, ledger sum {summary['ledger_sum_fen']} fen")
            for problem in problems:
                print("PROBLEM:", problem)
        return 1 if problems else 0
    finally:
        bank.close()


def _serve(args: argparse.Namespace) -> int:
    from kiosk.host.iso8583_server import Iso8583Server
    from kiosk.host.iso8583_wire import parse_address
    bank = _bank(args)
    bank.seed()
    server = Iso8583Server(bank, parse_address(args.listen))
    host, port = server.address
    print(f"serving the sandbox bank over ISO 8583 on {host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
        bank.close()
    return 0
