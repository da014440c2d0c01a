"""`kiosk host seed|reset|show|serve`: manage the sandbox bank and serve it over ISO 8583."""
from __future__ import annotations

import argparse
import json
import logging
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
    serve.add_argument("--tls-ca", help="the CA that signs terminal certificates (PEM)")
    serve.add_argument("--tls-cert", help="the host's certificate (PEM)")
    serve.add_argument("--tls-key", help="the host's private key (PEM)")
    serve.add_argument("--plaintext-demo", action="store_true",
                       help="plain TCP instead of mutual TLS (demo profile only)")
    serve.add_argument("--terminal", action="append", default=[], metavar="ID",
                       help="a terminal id to serve (repeatable; default the sandbox's kiosks "
                            "KSK00001-KSK00009)")
    serve.add_argument("--idle-timeout", type=float, default=30.0, metavar="S",
                       help="close a connection silent this long (default %(default)s)")
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
            print(_show_table(summary["accounts"]), end="")
            print(f"entries {summary['entries']}, ledger sum {summary['ledger_sum_fen']} fen")
            for problem in problems:
                print("PROBLEM:", problem)
        return 1 if problems else 0
    finally:
        bank.close()


def _show_table(accounts: list[dict]) -> str:
    rows = [("HOLDER", "NUMBER", "KIND", "BALANCE", "CARD")]
    rows += [(a["holder"], a["number"], a["kind"], f"{a['balance_fen'] / 100:,.2f}",
              a["card_status"]) for a in accounts]
    # CJK names are two columns wide on a terminal
    width = lambda text: sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # noqa: E731
    widths = [max(width(r[i]) for r in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [c + " " * (w - width(c)) if i != 3 else " " * (w - width(c)) + c
                 for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip() + "\n")
    return "".join(lines)


def _serve(args: argparse.Namespace) -> int:
    from kiosk.host import sandbox_data
    from kiosk.host.iso8583_server import Iso8583Server
    from kiosk.host.iso8583_wire import parse_address
    from kiosk.host.tls import server_context
    tls_files = (args.tls_ca, args.tls_cert, args.tls_key)
    if not args.plaintext_demo and not all(tls_files):
        print("kiosk host serve: give --tls-ca, --tls-cert and --tls-key for mutual TLS, or "
              "--plaintext-demo for plain TCP in a demo", file=sys.stderr)
        return 2
    from kiosk.logging_setup import ScrubFilter
    for handler in logging.getLogger().handlers:   # a second line of defence on stderr
        handler.addFilter(ScrubFilter())
    tls = None if args.plaintext_demo else server_context(*tls_files)
    bank = _bank(args)
    bank.seed()
    server = Iso8583Server(bank, parse_address(args.listen), tls=tls,
                           terminals=args.terminal or sandbox_data.TERMINALS,
                           idle_timeout_s=args.idle_timeout)
    host, port = server.address
    print(f"serving the sandbox bank over ISO 8583 ({'plain TCP, demo' if tls is None else 'mutual TLS'})"
          f" on {host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
        bank.close()
    return 0
