"""`kiosk diag bundle --out DIR`: the technician screen's diagnostics bundle, from SSH.

The same zip as the screen's Export (kiosk.technician.export_bundle: logs and configuration
with secrets removed and numbers masked, open and recent alerts), without opening any device: a
running kiosk keeps its devices, and `kiosk diag` reports them. Prints the zip's path.
"""
from __future__ import annotations

import argparse
import sys

from .output import EXIT_OK

EXIT_CANNOT_WRITE = 2


def register(devices: argparse._SubParsersAction) -> None:
    parser = devices.add_parser("bundle", help="write the diagnostics bundle (masked) to a folder")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the zip to")
    parser.add_argument("--config", default=argparse.SUPPRESS,
                        help="configuration file (default config/kiosk.toml)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..alerts.center import AlertCenter
    from ..config import load_config
    from ..technician import export_bundle

    config = load_config(getattr(args, "config", None))
    alerts = None
    if config.path(config.alerts.outbox).exists():
        alerts = AlertCenter.from_config(config)
    try:
        path = export_bundle(config, args.out, alerts=alerts,
                             extra={"devices_probed": False,
                                    "note": "device statuses: run `kiosk diag`"})
    except OSError as exc:
        print(f"kiosk diag bundle: cannot write to {args.out}: {exc}", file=sys.stderr)
        return EXIT_CANNOT_WRITE
    finally:
        if alerts is not None:
            alerts.close()
    print(path)
    return EXIT_OK
