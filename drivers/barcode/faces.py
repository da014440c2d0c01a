"""Faces in a camera frame, for the privacy shield: how many people are close enough to see
the screen. OpenCV's Haar frontal-face cascade (Debian's opencv-data): no model to download
(OpenCV 5's YuNet needs an ONNX file no package ships; dlib builds from source for minutes),
and its 24-pixel window still finds a face over the customer's shoulder in a 320-pixel frame,
where the faster LBP cascades (45-pixel window) do not. Large steps between scales keep it
within a few milliseconds. Frames are only looked at, never kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

CASCADE = Path("/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml")


class FaceModelError(Exception):
    """The face cascade could not be loaded (opencv-data missing or the file damaged)."""


@dataclass(frozen=True)
class Face:
    x: int
    y: int
    w: int
    h: int


class FaceCounter:
    def __init__(self, cascade: str | Path = CASCADE, *, width: int = 320,
                 min_face: float = 0.0875, near_ratio: float = 0.35):
        """`width`: frames are shrunk to this before looking; `min_face`: smallest face as a
        share of that width; `near_ratio`: a second face at least this share of the
        customer's face width is close enough to read the screen."""
        path = Path(cascade)
        classifier = cv2.CascadeClassifier(str(path)) if path.is_file() else None
        if classifier is None or classifier.empty():
            raise FaceModelError(f"face cascade {path} cannot be loaded: install opencv-data")
        self._classifier = classifier
        self.width = width
        self.min_px = max(24, round(width * min_face))
        self.near_ratio = near_ratio

    def faces(self, frame: np.ndarray) -> list[Face]:
        """Faces in `frame` (BGR or grey), in the shrunk frame's pixels, largest first."""
        grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        if grey.shape[1] > self.width:
            height = round(grey.shape[0] * self.width / grey.shape[1])
            grey = cv2.resize(grey, (self.width, height), interpolation=cv2.INTER_AREA)
        grey = cv2.equalizeHist(grey)
        found = self._classifier.detectMultiScale(grey, scaleFactor=1.3, minNeighbors=3,
                                                  minSize=(self.min_px, self.min_px))
        faces = [Face(int(x), int(y), int(w), int(h)) for x, y, w, h in found]
        return sorted(faces, key=lambda f: f.w * f.h, reverse=True)

    def onlookers(self, frame: np.ndarray) -> tuple[int, int]:
        """(faces seen, faces besides the customer's close enough to see the screen). The
        customer's is the largest face; a face far behind is small next to it."""
        faces = self.faces(frame)
        if not faces:
            return 0, 0
        customer = faces[0]
        near = [f for f in faces[1:] if f.w >= customer.w * self.near_ratio]
        return len(faces), len(near)
