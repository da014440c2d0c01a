"""Lobby scenes with real people in them, for the emulated camera and the shield's tests:
the customer in front of the kiosk alone, with someone looking over a shoulder, or with
someone far behind. The portraits are public-domain photographs (people/README.md)."""
from __future__ import annotations

from importlib import resources

import cv2
import numpy as np

from . import code_images

SCENES = ("nobody", "customer", "onlooker", "far_behind")


def portrait(name: str) -> np.ndarray:
    data = resources.files(__package__).joinpath("people", f"{name}.jpg").read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(f"portrait {name} is missing from drivers/barcode/people")
    return image


def _paste(canvas: np.ndarray, picture: np.ndarray, height: int, cx: int, bottom: int) -> None:
    h, w = picture.shape[:2]
    width = round(w * height / h)
    small = cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)
    x0, y0 = max(0, cx - width // 2), max(0, bottom - height)
    x1, y1 = min(canvas.shape[1], x0 + width), min(canvas.shape[0], y0 + height)
    canvas[y0:y1, x0:x1] = small[: y1 - y0, : x1 - x0]


def scene(kind: str, width: int = 1280, height: int = 720) -> np.ndarray:
    """The camera's picture for `kind` (one of SCENES), BGR."""
    if kind not in SCENES:
        raise ValueError(f"no people scene {kind!r}: one of {SCENES}")
    canvas = code_images.scene(width, height, noise=3)
    if kind == "onlooker":        # close behind the customer's shoulder
        _paste(canvas, portrait("astronaut"), round(height * 0.66), round(width * 0.74),
               round(height * 0.80))
    if kind == "far_behind":      # across the lobby
        _paste(canvas, portrait("astronaut"), round(height * 0.16), round(width * 0.82),
               round(height * 0.40))
    if kind != "nobody":
        _paste(canvas, portrait("hopper"), round(height * 0.95), round(width * 0.40), height)
    return canvas
