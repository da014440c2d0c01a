"""`kiosk diag [DEVICE]`: device diagnostics for technicians, with --json for scripts."""
from __future__ import annotations

import argparse
import importlib

DIAG_MODULES = ("chipcard", "idcard", "printer", "scan", "bundle")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("diag", help="check devices (all configured ones, or one named)")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    devices = parser.add_subparsers(dest="device", metavar="DEVICE")
    for name in DIAG_MODULES:
        importlib.import_module(f"kiosk.diag.{name}").register(devices)
    parser.set_defaults(handler=_overview)


def _overview(args: argparse.Namespace) -> int:
    from kiosk.diag import overview
    return overview.run(args)
