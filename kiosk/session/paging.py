"""Lists shown a page at a time: the one place that counts pages."""
from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill at `size` a page (an empty list still has one)."""
    return max(1, -(-total // max(1, size)))


def page_of(items: Sequence[T], page: int, size: int) -> tuple[list[T], int, int]:
    """One page of `items`: (the items on it, the page clamped to 1..pages, pages)."""
    size = max(1, size)
    pages = page_count(len(items), size)
    page = min(max(1, page), pages)
    return list(items[(page - 1) * size: page * size]), page, pages
