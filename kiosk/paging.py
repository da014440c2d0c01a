"""Lists shown or sent a page at a time: the one place that counts pages (pages count from 1)."""
from __future__ import annotations

from typing import Sequence, TypeVar

T = TypeVar("T")


def page_count(total: int, size: int) -> int:
    """How many pages `total` items fill at `size` a page (an empty list still has one)."""
    return max(1, -(-total // max(1, size)))


def page_start(page: int, size: int) -> int:
    """Where `page` starts: how many items the pages before it hold."""
    return (max(1, page) - 1) * max(1, size)


def page_items(items: Sequence[T], page: int, size: int) -> list[T]:
    """The items on `page`; none past the last page (for a reader that asks until it is empty)."""
    start = page_start(page, size)
    return list(items[start:start + max(1, size)])


def page_of(items: Sequence[T], page: int, size: int) -> tuple[list[T], int, int]:
    """One page of `items` to show: (the items on it, the page clamped to 1..pages, pages)."""
    pages = page_count(len(items), size)
    page = min(max(1, page), pages)
    return page_items(items, page, size), page, pages
