"""What a printed document is made of, independent of any printer.

A document is pages of blocks (text, a left/right pair, a rule, a QR, blank lines). Each page
is printed and cut as one slip, so a long statement is several slips and a job cut short by a
paper change goes on from the first page that did not come out whole. Documents hold only
masked numbers, so they can be stored (print queue) and logged.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Union

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    text: str
    align: Align = "left"
    bold: bool = False
    scale: int = 1          # 1 normal, 2 double width and height...


@dataclass(frozen=True)
class Pair:
    """A label on the left and its value on the right of the same line."""
    label: str
    value: str
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Qr:
    data: str               # a reference only, never personal data
    module_size: int = 6


@dataclass(frozen=True)
class Blank:
    lines: int = 1


Block = Union[Text, Pair, Rule, Qr, Blank]
_BLOCK_TYPES: dict[str, type] = {c.__name__: c for c in (Text, Pair, Rule, Qr, Blank)}


@dataclass(frozen=True)
class Page:
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    kind: str               # receipt, balance, statement, ticket, report, test_page
    reference: str          # transaction / statement / ticket reference (what the QR carries)
    pages: tuple[Page, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.pages:
            raise ValueError(f"{self.kind} document {self.reference}: has no pages")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "reference": self.reference,
                "pages": [[{"type": type(b).__name__, **asdict(b)} for b in p.blocks]
                          for p in self.pages]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        pages = []
        for blocks in data["pages"]:
            built = []
            for item in blocks:
                item = dict(item)
                built.append(_BLOCK_TYPES[item.pop("type")](**item))
            pages.append(Page(tuple(built)))
        return cls(data["kind"], data["reference"], tuple(pages))

    def text(self) -> str:
        """Plain text of the whole document (logs, tests, screen preview)."""
        return "\n".join(page_text(p) for p in self.pages)


def page_text(page: Page) -> str:
    out = []
    for b in page.blocks:
        if isinstance(b, Text):
            out.append(b.text)
        elif isinstance(b, Pair):
            out.append(f"{b.label}  {b.value}")
        elif isinstance(b, Qr):
            out.append(f"[QR {b.data}]")
    return "\n".join(out)


def display_width(text: str) -> int:
    """Columns a string takes on a receipt: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
