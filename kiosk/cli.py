"""The core's commands: diag, host, journal, eod, console (kiosk/commands). The `kiosk`
console script is screens/cli.py, which adds the two that open a window (run, tour); the core
never imports the skin, so it hands its parser the skin's command modules by name."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .commands import COMMAND_MODULES
from .datafiles import DataFileError, private_umask
from .version import kiosk_version


def build_parser(extra: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """The parser of the core's commands, after the `extra` command modules (by name)."""
    parser = argparse.ArgumentParser(prog="kiosk", description="Bank lobby self-service kiosk")
    parser.add_argument("--version", action="version", version=f"kiosk {kiosk_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in extra + tuple(f"kiosk.commands.{name}" for name in COMMAND_MODULES):
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None, extra: tuple[str, ...] = ()) -> int:
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    private_umask()   # every file the kiosk writes is its own: 0600, folders 0700
    try:
        return int(args.handler(args) or 0)
    except DataFileError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
