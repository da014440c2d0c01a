"""`kiosk technician card-hash [--config PATH]`: the line for `[technician] cards` of a card.

The card number is read from stdin (never the command line, which shells keep in history) and
hashed with HMAC-SHA256 under the configuration's `[technician] card_key` (a credential); the
number itself is written nowhere.
"""
from __future__ import annotations

import argparse
import getpass
import sys

EXIT_NO_KEY = 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("technician", help="technician cards: hash a card number for the config")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    card_hash = actions.add_parser("card-hash", help="read a card number, print its keyed hash")
    card_hash.add_argument("--config", help="configuration file (its [technician] card_key)")
    card_hash.set_defaults(handler=_card_hash)


def _card_hash(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.technician import card_digest
    key = load_config(args.config).technician.card_key
    if not key:
        print("kiosk technician: [technician] card_key is not set", file=sys.stderr)
        return EXIT_NO_KEY
    pan = sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("card number: ")
    digits = "".join(ch for ch in pan if ch.isdigit())
    if not 12 <= len(digits) <= 19:
        print("kiosk technician: a card number has 12 to 19 digits", file=sys.stderr)
        return EXIT_NO_KEY
    print(card_digest(digits, bytes.fromhex(key)))
    return 0
