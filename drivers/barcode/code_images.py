"""Drawing codes and camera scenes: what the emulated camera shows, and what the bench decodes.

QR symbols are drawn from the `qrcode` package's module matrix (UTF-8 bytes, the way phones
encode Chinese); linear codes from python-barcode's module strings. Scenes put a code on a
textured background, turned, blurred and noisy like a phone held up to a lobby camera.
"""
from __future__ import annotations

import functools

import cv2
import numpy as np

QUIET_MODULES = 4


def code_modules(symbology: str, text: str) -> np.ndarray:
    """The code as a 0/1 matrix (1 = dark), one cell per module, without quiet zone."""
    symbology = symbology.upper()
    if symbology == "QRCODE":
        import qrcode
        qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
        qr.add_data(text.encode("utf-8"))
        qr.make(fit=True)
        return np.array(qr.get_matrix(), dtype=np.uint8)
    import barcode
    if symbology == "EAN13":
        if not (len(text) == 13 and text.isdigit()):
            raise ValueError("EAN-13 needs 13 digits")
        built = barcode.get_barcode_class("ean13")(text[:12]).build()[0]
        if barcode.get_barcode_class("ean13")(text[:12]).get_fullcode() != text:
            raise ValueError(f"EAN-13 {text} has a wrong check digit")
    elif symbology == "CODE128":
        built = barcode.get_barcode_class("code128")(text).build()[0]
    else:
        raise ValueError(f"cannot draw symbology {symbology!r}")
    return np.array([[1 if c == "1" else 0 for c in built]], dtype=np.uint8)


def render_code(symbology: str, text: str, module_px: int = 6, bar_height_px: int = 160) -> np.ndarray:
    """A grey image of the code (dark on white) with its quiet zone."""
    modules = code_modules(symbology, text)
    if modules.shape[0] == 1:  # linear: stretch the single row into bars
        modules = np.repeat(modules, max(1, bar_height_px // module_px), axis=0)
        pad = ((QUIET_MODULES, QUIET_MODULES), (QUIET_MODULES * 3, QUIET_MODULES * 3))
    else:
        pad = ((QUIET_MODULES, QUIET_MODULES), (QUIET_MODULES, QUIET_MODULES))
    modules = np.pad(modules, pad)
    image = np.where(modules == 1, 0, 255).astype(np.uint8)
    return cv2.resize(image, (image.shape[1] * module_px, image.shape[0] * module_px),
                      interpolation=cv2.INTER_NEAREST)


def background(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A calm lobby-like backdrop (soft gradient and shapes), BGR; a fresh copy each call."""
    return _background(width, height, seed % 16).copy()


@functools.lru_cache(maxsize=16)
def _background(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    xs = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    base = 120 + 60 * ys + 30 * xs
    frame = np.repeat(base[:, :, None], 3, axis=2).astype(np.uint8)
    for _ in range(6):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(int(c) for c in rng.integers(60, 200, 3))
        cv2.circle(frame, centre, int(rng.integers(20, height // 4)), colour, -1)
    return frame


def place(frame: np.ndarray, code: np.ndarray, *, centre: tuple[int, int] | None = None,
          angle: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """Paste a code image onto a copy of `frame`, turned by `angle` degrees around `centre`."""
    out = frame.copy()
    h, w = out.shape[:2]
    ch, cw = code.shape[:2]
    cx, cy = centre if centre else (w // 2, h // 2)
    matrix = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, scale)
    matrix[0, 2] += cx - cw / 2
    matrix[1, 2] += cy - ch / 2
    code_bgr = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR) if code.ndim == 2 else code
    warped = cv2.warpAffine(code_bgr, matrix, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    mask = cv2.warpAffine(np.full((ch, cw), 255, np.uint8), matrix, (w, h),
                          flags=cv2.INTER_NEAREST)
    out[mask > 0] = warped[mask > 0]
    return out


def degrade(frame: np.ndarray, *, blur: float = 0.0, noise: float = 0.0,
            rng: np.random.Generator | None = None) -> np.ndarray:
    """Gaussian blur (sigma in pixels) and additive noise (standard deviation in grey levels)."""
    out = frame
    if blur > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise > 0:
        rng = rng or np.random.default_rng(0)
        grain = rng.normal(0, noise, out.shape).astype(np.int16)
        out = np.clip(out.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    return out


def scene(width: int, height: int, symbology: str | None = None, text: str = "", *,
          angle: float = 0.0, blur: float = 0.0, noise: float = 0.0, module_px: int = 6,
          centre: tuple[int, int] | None = None, seed: int = 0) -> np.ndarray:
    """One camera frame: the backdrop, optionally with a code held up in it."""
    frame = background(width, height, seed)
    if symbology:
        frame = place(frame, render_code(symbology, text, module_px), centre=centre, angle=angle)
    return degrade(frame, blur=blur, noise=noise, rng=np.random.default_rng(seed))


def photo(symbology: str, text: str, *, size: tuple[int, int] = (800, 600),
          code_width: int = 240, tilt: float = 0.15, angle: float = 0.0, contrast: float = 1.0,
          blur: float = 0.0, noise: float = 0.0, jpeg_quality: int = 70,
          seed: int = 0) -> np.ndarray:
    """A phone-style photo of a printed code: seen at a slant (perspective: each corner moved
    by up to `tilt` of the code's width), turned, dim (`contrast` 1 = full, 0.3 = washed out),
    blurred, noisy and JPEG-compressed. BGR."""
    rng = np.random.default_rng(seed)
    width, height = size
    code = render_code(symbology, text, module_px=4)
    code = np.pad(code, 12, constant_values=255)
    ch, cw = code.shape
    scale = code_width / cw
    cx = rng.uniform(0.35, 0.65) * width
    cy = rng.uniform(0.35, 0.65) * height
    theta = np.deg2rad(angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    corners = np.array([[-cw / 2, -ch / 2], [cw / 2, -ch / 2], [cw / 2, ch / 2],
                        [-cw / 2, ch / 2]]) * scale
    jitter = rng.uniform(-tilt, tilt, (4, 2)) * code_width
    target = (corners @ rot.T + jitter + [cx, cy]).astype(np.float32)
    source = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    frame = background(width, height, seed)
    warped = cv2.warpPerspective(cv2.cvtColor(code, cv2.COLOR_GRAY2BGR), matrix,
                                 (width, height), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, (width, height))
    frame[mask > 0] = warped[mask > 0]
    mid = float(frame.mean())
    frame = np.clip(mid + (frame.astype(np.float32) - mid) * contrast, 0, 255).astype(np.uint8)
    frame = degrade(frame, blur=blur, noise=noise, rng=rng)
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)
