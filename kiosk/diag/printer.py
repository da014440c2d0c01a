"""`kiosk diag printer`: ask an ESC/POS printer for its status (DLE EOT 1-4), optionally print
a test page.

JSON keys (a public contract): online, paper (full/low/out/unknown), cover_open, cutter_error,
recoverable_error, unrecoverable_error, status_ms, error (null when all went well).
Exit codes: 0 the printer answered, 2 port missing (or held by the running kiosk), 4 the test
page could not print, 5 the printer did not answer.
"""
from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from drivers.errors import DeviceError, TransportError
from drivers.printer.escpos_serial import EscPosPrinter
from drivers.errors import PortInUseError

from ..config import ConfigError, KioskConfig, load_config
from ..documents.report import printer_test_page
from ..documents.slip import SlipContext
from .busy_port import busy_port_message
from .output import EXIT_NO_ANSWER, EXIT_NO_DEVICE, EXIT_OK, EXIT_READ_ERROR, emit

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("printer", help="receipt printer status (exit 0 answered, 2 port "
                                            "missing, 4 test page failed, 5 no answer)")
    parser.add_argument("--port", help="serial port or pyserial URL (default: from the config)")
    parser.add_argument("--baud", type=int, help="baud rate (default: from the config)")
    parser.add_argument("--status-timeout-ms", type=int,
                        help="how long to wait for each status byte (default: from the config)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of a table")
    parser.add_argument("--test-page", action="store_true",
                        help="print a test page when the printer is ready")
    parser.set_defaults(handler=run)


def _printer(args: argparse.Namespace) -> tuple[EscPosPrinter, KioskConfig]:
    """The driver for the port on the command line, or the configured one."""
    try:
        config = load_config(getattr(args, "config", None), resolve=False)
    except ConfigError:
        if not args.port:
            raise
        log.debug("no usable configuration; using printer defaults", exc_info=True)
        config = KioskConfig()
    section = config.devices.printer
    changes: dict[str, Any] = {}
    if args.port:
        changes["port"] = args.port if "://" in args.port else str(Path(args.port).absolute())
    if args.baud:
        changes["baud"] = args.baud
    if args.status_timeout_ms:
        changes["status_timeout_ms"] = args.status_timeout_ms
    section = replace(section, **changes)
    return EscPosPrinter.from_config("printer", section, config), config


def run(args: argparse.Namespace) -> int:
    printer, config = _printer(args)
    port = printer.port
    result: dict[str, Any] = {"online": False, "paper": "unknown", "cover_open": None,
                              "cutter_error": None, "recoverable_error": None,
                              "unrecoverable_error": None, "status_ms": None, "error": None}
    code = EXIT_OK
    try:
        printer.open()
        if not printer.last_status.answered:
            result["error"] = (f"printer on {port} did not answer DLE EOT within "
                               f"{printer.status_timeout * 1000:.0f} ms: check its power, "
                               f"cable and baud rate")
            code = EXIT_NO_ANSWER
        elif args.test_page:
            ctx = SlipContext.for_kiosk(config)
            printer.print_document(printer_test_page(
                ctx, width_chars=printer.capabilities.paper_width_chars))
    except PortInUseError as exc:
        result["error"] = busy_port_message(exc.device, exc.port)
        code = EXIT_NO_DEVICE
    except TransportError as exc:
        result["error"] = str(exc)
        code = EXIT_NO_DEVICE
    except DeviceError as exc:  # the printer answered but cannot print the test page
        result["error"] = str(exc)
        code = EXIT_READ_ERROR
    finally:
        printer.close()
    if printer.last_status.answered or code == EXIT_NO_ANSWER:
        result.update(printer.last_status.as_dict())
    emit(result, getattr(args, "json", False))
    return code

