"""Sub-commands of the `kiosk` command line; each module offers `register(subparsers)`."""
from __future__ import annotations

import signal
import threading
from typing import Callable

COMMAND_MODULES = ("diag", "host", "journal", "eod", "console", "fleet_service", "technician")
# run and tour open a window: they are in screens/commands (the `kiosk` script is screens/cli.py)


def serve(start: Callable[[], None], *closers: Callable[[], None]) -> int:
    """Run a long-lived service: `start` it, wait for SIGTERM (systemd) or Ctrl-C, then call
    `closers` in order. The exit status, 0."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    start()
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for close in closers:
            close()
    return 0
