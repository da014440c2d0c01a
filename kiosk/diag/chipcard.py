"""`kiosk diag chipcard`: wait for a bank card in a PC/SC reader and read it as the kiosk does.

Talks to whatever reader pcscd offers (a real one, or the emulator's vpcd slot); it never starts
an emulator itself. JSON keys are a contract: reader, atr, aid, label, pan_masked, expiry,
name, cardholder_id_masked, pin_tries, ec_balance, apdu_count, elapsed_ms (+ error on failure).
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from .output import EXIT_NO_DEVICE, EXIT_NO_MEDIA, EXIT_OK, EXIT_READ_ERROR, emit

log = logging.getLogger(__name__)

PRESENCE_S = 0.6   # pcscd polls a reader's slot about every 400 ms
KEYS = ("reader", "atr", "aid", "label", "pan_masked", "expiry", "name", "cardholder_id_masked",
        "pin_tries", "ec_balance", "apdu_count", "elapsed_ms")


def register(devices: argparse._SubParsersAction) -> None:
    parser = devices.add_parser("chipcard", help="wait for a bank card and read its chip")
    parser.add_argument("--reader", help="PC/SC reader name or fnmatch pattern "
                                         "(default: devices.chipcard.reader)")
    parser.add_argument("--wait", type=float, default=15.0, metavar="SECONDS",
                        help="how long to wait for a card (default 15)")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of a table")
    parser.add_argument("--config", default=argparse.SUPPRESS,
                        help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.set_defaults(handler=run)


def _fill(result: dict[str, Any], card: Any) -> None:
    result.update(aid=card.aid, label=card.label, pan_masked=card.pan_masked,
                  expiry=card.expiry_month, name=card.name,
                  cardholder_id_masked=card.cardholder_id_masked)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import load_config

    config = load_config(getattr(args, "config", None), resolve=False)
    section = config.devices.chipcard
    pattern = args.reader or section.reader
    result: dict[str, Any] = dict.fromkeys(KEYS)
    result["reader"] = pattern
    code = _read(result, pattern, section, args.wait)
    emit(result, bool(getattr(args, "json", False)))
    return code


def _wait_for_card(reader: Any, wait: float) -> str:
    """The ATR; says "insert a card…" on stderr (stdout stays the table or the JSON) when no
    card is there once pcscd has had time to see one."""
    from drivers.errors import NoCardError
    first = min(wait, PRESENCE_S)
    try:
        return reader.wait_for_card(first)
    except NoCardError:
        if wait <= first:
            raise
    print(f"insert a card in {reader.reader_name} (waiting up to {wait:g} s)…",
          file=sys.stderr, flush=True)
    return reader.wait_for_card(wait - first)


def _read(result: dict[str, Any], pattern: str, section: Any, wait: float) -> int:
    try:
        from drivers.chipcard.card_errors import ChipCardError
        from drivers.chipcard.pcsc import PcscReader
        from drivers.errors import NoCardError, TransportError
    except ImportError as exc:
        result["error"] = f"PC/SC support missing ({exc}): install pyscard and pcscd"
        return EXIT_NO_DEVICE
    reader = PcscReader("chipcard", reader=pattern, timeout=section.timeout_s,
                        apdu_timeout=section.apdu_timeout_s)
    try:
        reader.open()
        if reader.service_error:
            result["error"] = (f"{reader.service_error}; pcscd is not running: start it "
                               "(`pcscd` as root, or scripts/dev.sh) and try again")
            return EXIT_NO_DEVICE
        if reader.reader_name is None:
            seen = ", ".join(reader.readers_seen) or "none"
            result["error"] = f"no PC/SC reader matches {pattern!r} (readers: {seen})"
            return EXIT_NO_DEVICE
        result["reader"] = reader.reader_name
        result["atr"] = _wait_for_card(reader, wait)
        started, count = time.monotonic(), reader.apdu_count
        try:
            card = reader.read_identity()
            _fill(result, card)
            counters = reader.read_counters()
            result["pin_tries"] = counters.pin_tries
            result["ec_balance"] = None if counters.ec_balance is None else str(counters.ec_balance)
        finally:
            result["apdu_count"] = reader.apdu_count - count
            result["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
        return EXIT_OK
    except NoCardError as exc:
        result["error"] = exc.detail
        return EXIT_NO_MEDIA
    except ChipCardError as exc:
        card = getattr(exc, "card_data", None)
        if card is not None:
            _fill(result, card)
        result["error"] = f"{exc.reason}: {exc}"
        return EXIT_READ_ERROR
    except TransportError as exc:
        result["error"] = str(exc)
        return EXIT_NO_DEVICE
    finally:
        reader.close()
