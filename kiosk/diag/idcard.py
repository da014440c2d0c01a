"""`kiosk diag idcard`: open the ID card reader, wait for a card, read it and show it masked.

JSON keys (a contract for scripts): sam_id, card_type (resident, I, J), name, gender, nation,
birth_date, id_masked, authority, valid_from, valid_to (date or 长期), checks {check_digit_ok,
birth_matches, expired}, elapsed_ms, error. Exit codes from kiosk.diag.output: 0 read, 2 no
reader (or its port held by the running kiosk), 3 no card within the wait, 4 read error. Only
the masked ID number is ever printed.
"""
from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from .busy_port import busy_port_message
from .output import EXIT_NO_DEVICE, EXIT_NO_MEDIA, EXIT_OK, EXIT_READ_ERROR, emit

log = logging.getLogger(__name__)

KEYS = ("sam_id", "card_type", "name", "gender", "nation", "birth_date", "id_masked",
        "authority", "valid_from", "valid_to", "checks", "elapsed_ms", "error")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("idcard", help="read an ID card and show it (ID number masked)")
    parser.add_argument("--port", help="serial port or pyserial URL (default: from the config)")
    parser.add_argument("--baud", type=int, help="baud rate (default: from the config; "
                                                 "'auto' there tries 115200 then 9600)")
    parser.add_argument("--wait", type=float, default=5.0, metavar="SECONDS",
                        help="how long to wait for a card (default 5)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    result, code = diagnose(_reader(args), wait=args.wait)
    emit(result, getattr(args, "json", False))
    return code


def _reader(args: argparse.Namespace) -> Any:
    from drivers.idcard.sam_serial import SamSerialReader
    from kiosk.config import load_config

    config = load_config(getattr(args, "config", None), resolve=False)
    section = config.devices.idcard
    port = args.port or config.port(section.port)
    return SamSerialReader("idcard", port=port, baud=args.baud or section.baud,
                           timeout=section.timeout_s, poll_interval=section.poll_interval_s,
                           fingerprint=section.fingerprint, extra_address=section.extra_address)


def diagnose(reader: Any, *, wait: float) -> tuple[dict[str, Any], int]:
    """Open `reader`, read one card; return (result with every KEY, exit code)."""
    from drivers.errors import DeviceError, NoCardError
    from drivers.errors import PortInUseError

    started = time.monotonic()
    result: dict[str, Any] = dict.fromkeys(KEYS)
    try:
        reader.open()
    except PortInUseError as exc:
        result["error"] = busy_port_message(exc.device, exc.port)
        return _finish(result, started), EXIT_NO_DEVICE
    except DeviceError as exc:
        return _failed(result, started, exc), EXIT_NO_DEVICE
    try:
        result["sam_id"] = reader.sam_id or None
        if reader.status()["sam"] != "ok":
            result["error"] = f"{reader.name} on {reader.port}: SAM is not working " \
                              "(call a technician to service the ID card reader)"
            return _finish(result, started), EXIT_READ_ERROR
        record = reader.read_card(wait=wait)
    except NoCardError as exc:
        return _failed(result, started, exc), EXIT_NO_MEDIA
    except DeviceError as exc:
        return _failed(result, started, exc), EXIT_READ_ERROR
    finally:
        reader.close()
    checks = record.checks()
    result.update(
        card_type=record.card_type,
        name=record.name or record.name_en,
        gender=record.gender,
        nation=record.nation or record.nationality or None,
        birth_date=record.birth_date.isoformat(),
        id_masked=record.id_masked,
        authority=record.authority,
        valid_from=record.valid_from.isoformat(),
        valid_to=record.valid_to_text,
        checks={"check_digit_ok": checks.check_digit_ok, "birth_matches": checks.birth_matches,
                "expired": checks.expired},
    )
    return _finish(result, started), EXIT_OK


def _failed(result: dict[str, Any], started: float, exc: Exception) -> dict[str, Any]:
    result["error"] = str(exc)
    return _finish(result, started)


def _finish(result: dict[str, Any], started: float) -> dict[str, Any]:
    result["elapsed_ms"] = round((time.monotonic() - started) * 1000)
    return result
