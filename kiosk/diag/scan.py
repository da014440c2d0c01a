"""`kiosk diag scan`: find codes in a picture or in a camera's stream, for technicians.

    kiosk diag scan --image PATH [--json]
    kiosk diag scan --camera SOURCE --seconds S [--json]

JSON keys: source, codes (list of {symbology, text}); for a camera also frames, fps and
decode_ms_median. Code text is printed exactly as decoded, with card and ID numbers
masked (product codes never are). Exit 0 when at least one code
was found, 6 when none, 2 when the source cannot be opened.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from drivers.privacy import mask_code_text

from .output import EXIT_NO_DEVICE, EXIT_NOTHING_FOUND, EXIT_OK, emit

log = logging.getLogger(__name__)

DEFAULT_SYMBOLOGIES = "QRCODE,EAN13,CODE128"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("scan", help="find barcodes and QR codes in a picture or a camera")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--image", metavar="PATH", help="a picture file (PNG, JPEG...)")
    source.add_argument("--camera", metavar="SOURCE",
                        help="camera index, /dev/video path, URL or video file")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="how long to watch the camera (default 5)")
    parser.add_argument("--symbologies", default=DEFAULT_SYMBOLOGIES,
                        help=f"comma-separated (default {DEFAULT_SYMBOLOGIES})")
    # SUPPRESS: `kiosk diag --json scan ...` keeps the parent's flag
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of a table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    symbologies = [s.strip() for s in args.symbologies.split(",") if s.strip()]
    if args.image:
        result, code = scan_image(args.image, symbologies)
    else:
        result, code = scan_camera(args.camera, symbologies, args.seconds)
    emit(result, getattr(args, "json", False), out=sys.stdout)
    return code


def _exit_code(result: dict[str, Any]) -> int:
    return EXIT_OK if result["codes"] else EXIT_NOTHING_FOUND


def scan_image(path: str, symbologies: list[str]) -> tuple[dict[str, Any], int]:
    import cv2

    from drivers.barcode.decoder import Decoder

    result: dict[str, Any] = {"source": path, "codes": []}
    frame = cv2.imread(path, cv2.IMREAD_COLOR)
    if frame is None:
        result["error"] = "the picture cannot be opened (missing file or not an image)"
        return result, EXIT_NO_DEVICE
    with Decoder(symbologies, max_width=0) as decoder:
        codes = decoder.decode_still(frame)
    result["codes"] = [{"symbology": c.symbology, "text": mask_code_text(c.symbology, c.text)}
                       for c in codes]
    return result, _exit_code(result)


def scan_camera(source: str, symbologies: list[str], seconds: float) -> tuple[dict[str, Any], int]:
    from drivers.barcode.base import CODE_READ_EVENT
    from drivers.barcode.camera import CameraReader
    from drivers.base import DeviceEvent
    from drivers.errors import DeviceError

    result: dict[str, Any] = {"source": source, "codes": []}
    camera = CameraReader("camera", source, symbologies=symbologies,
                          stale_after_s=max(seconds, 1.0), repeat_window_s=seconds + 1)
    codes: list[dict[str, str]] = []

    def on_event(event: Any) -> None:
        if isinstance(event, DeviceEvent) and event.name == CODE_READ_EVENT:
            symbology, text = event.data["symbology"], event.data["text"]
            codes.append({"symbology": symbology, "text": mask_code_text(symbology, text)})

    camera.subscribe(on_event)
    try:
        camera.open()
    except DeviceError as exc:
        result["error"] = str(exc)
        return result, EXIT_NO_DEVICE
    try:
        time.sleep(max(0.0, seconds))
    finally:
        camera.close()
    summary = camera.stats.summary()
    result.update(codes=codes, frames=summary["frames"], fps=summary["fps"],
                  decode_ms_median=summary["decode_ms_median"])
    return result, _exit_code(result)
