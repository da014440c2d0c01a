"""The shared real-photo sets (../shared/data/real-photos beside the clone): loading and
scoring, for the tests and bench/barcode.py alike.

Each photo has a .txt beside it with the code's exact text. Those files store line ends as
LF where the codes themselves carry CRLF (Japanese phone codes), so texts are compared with
CRLF read as LF; nothing else is normalised.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
SETS = ("qrcode-2", "qrcode-6", "ean13-4")
SYMBOLOGIES = ("QRCODE", "EAN13", "CODE128")


def photos_dir() -> Path | None:
    """../shared/data/real-photos beside this clone, or beside the main checkout of a git
    worktree; None when neither exists."""
    candidates = [REPO.parent / "shared" / "data" / "real-photos"]
    git = REPO / ".git"
    if git.is_file():  # a worktree: "gitdir: /path/main/.git/worktrees/NAME"
        gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        candidates.append(gitdir.parents[2].parent / "shared" / "data" / "real-photos")
    return next((c for c in candidates if c.is_dir()), None)


@dataclass(frozen=True)
class Photo:
    set_name: str
    path: Path
    text: str

    def image(self) -> np.ndarray:
        image = cv2.imread(str(self.path), cv2.IMREAD_COLOR)
        if image is None:
            raise OSError(f"{self.path} is no picture")
        return image


def load_sets(folder: Path) -> dict[str, list[Photo]]:
    sets = {}
    for name in SETS:
        photos = []
        for text_file in sorted((folder / name).glob("*.txt")):
            picture = next((p for p in text_file.parent.glob(text_file.stem + ".*")
                            if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif")), None)
            if picture is not None:
                photos.append(Photo(name, picture, text_file.read_text(encoding="utf-8")))
        sets[name] = photos
    return sets


def same_text(read: str, expected: str) -> bool:
    return read.replace("\r\n", "\n") == expected


def score(photo: Photo, texts: list[str]) -> str:
    """'read', 'wrong' (something else was reported) or 'missed'."""
    if any(same_text(t, photo.text) for t in texts):
        return "read"
    return "wrong" if texts else "missed"


def naive_pyzbar(image: np.ndarray) -> list[str]:
    """What most examples do: pyzbar on the whole picture, every symbology, UTF-8."""
    from pyzbar import pyzbar
    return [r.data.decode("utf-8", errors="replace") for r in pyzbar.decode(image)]


def naive_zxing(image: np.ndarray) -> list[str]:
    """zxing-cpp with its defaults on the whole picture (plain text, not its HRI escapes)."""
    import zxingcpp
    return [r.text for r in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)]
