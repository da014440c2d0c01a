"""`kiosk run [--config PATH]`: the touchscreen app on the configured devices."""
from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("run", help="run the touchscreen app")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    try:
        config = load_config(args.config)
    except ConfigError as exc:  # before any window: the kiosk never starts half-configured
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    font = config.path(config.ui.font)
    if not font.is_file():
        print(f"kiosk: {config.source}: [ui.font] found {font}, which does not exist; expected "
              "a CJK font file (the package ships kiosk/assets/fonts/wqy-microhei.ttc)", file=sys.stderr)
        return 2
    from kiosk.core import KioskCore
    from kiosk.datafiles import private_dir
    from kiosk.keys import NAMES, KeyRing
    from kiosk.logging_setup import configure_logging
    private_dir(config.data_dir)   # refused (exit 2) if others can write it
    keys = KeyRing.from_config(config)
    for name in NAMES:             # a missing or unsafe key stops the kiosk before any window
        keys.load(name)
    configure_logging(config.data_dir / "log", config.kiosk.log_level)
    # our log file and console handler (with the privacy scrub) stay in charge: Kivy must not
    # reconfigure logging (its default mode lowers the root level to debug), nor parse our argv
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    for name in ("KIVY_NO_ARGS", "KIVY_NO_FILELOG"):
        os.environ.setdefault(name, "1")
    # Kivy keeps its folder in the data folder (never ~/.kivy) and reads no config.ini from
    # there: nothing on disk can turn on its modules (the inspector) or change the window
    os.environ["KIVY_HOME"] = str(config.data_dir / "kivy")
    os.environ["KIVY_NO_CONFIG"] = "1"
    core = KioskCore(config)
    core.start()  # devices open in the background: a missing one never delays the window
    try:
        from screens.app import run_app
        run_app(config, core.session, devices=core.devices, technician=core.technician)
    finally:
        core.stop()
    return 0
