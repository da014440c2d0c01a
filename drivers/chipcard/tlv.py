"""BER-TLV and DOL coding as EMV uses it.

Tags are uppercase hex strings ("9F61"). Parsing keeps duplicate tags in card order, skips the
00/FF padding EMV allows between objects, descends into constructed objects, and turns every
malformation (truncation, bad length, over-deep nesting) into TlvError, never another exception.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from .card_errors import TlvError

MAX_DEPTH = 12      # EMV templates nest 3-4 deep; deeper input is hostile or broken
MAX_TAG_BYTES = 4
MAX_DOL_ENTRY = 0xFF   # a DOL entry's length is one byte in EMV; more is hostile or broken
PADDING = (0x00, 0xFF)


@dataclass(frozen=True)
class Tlv:
    tag: str
    value: bytes
    children: tuple["Tlv", ...] = field(default=(), repr=False)

    @property
    def constructed(self) -> bool:
        return is_constructed(self.tag)

    def find(self, tag: str) -> "Tlv | None":
        return find(self.children, tag)

    def find_all(self, tag: str) -> list["Tlv"]:
        return find_all(self.children, tag)

    def encode(self) -> bytes:
        value = b"".join(c.encode() for c in self.children) if self.children else self.value
        return encode(self.tag, value)


def is_constructed(tag: str) -> bool:
    return bool(int(tag[:2], 16) & 0x20)


# -- parsing --------------------------------------------------------------------------------
def read_tag(data: bytes, pos: int) -> tuple[str, int]:
    start = pos
    first = data[pos]
    pos += 1
    if first & 0x1F == 0x1F:
        while True:
            if pos >= len(data):
                raise TlvError(f"tag truncated at offset {start}")
            byte = data[pos]
            pos += 1
            if pos - start > MAX_TAG_BYTES:
                raise TlvError(f"tag longer than {MAX_TAG_BYTES} bytes at offset {start}")
            if not byte & 0x80:
                break
    return data[start:pos].hex().upper(), pos


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise TlvError(f"length missing at offset {pos}")
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 4:
        raise TlvError(f"unsupported length byte {first:02X} at offset {pos - 1}")
    if pos + count > len(data):
        raise TlvError(f"long-form length truncated at offset {pos - 1}")
    return int.from_bytes(data[pos:pos + count], "big"), pos + count


def scan(data: bytes) -> Iterator[tuple[int, str, int, int]]:
    """One level of objects as (offset, tag, value start, value end); padding skipped."""
    pos = 0
    while pos < len(data):
        if data[pos] in PADDING:
            pos += 1
            continue
        start = pos
        tag, pos = read_tag(data, pos)
        length, pos = read_length(data, pos)
        end = pos + length
        if end > len(data):
            raise TlvError(f"tag {tag} at offset {start} says {length} bytes, "
                           f"only {len(data) - pos} left")
        yield start, tag, pos, end
        pos = end


def iter_tlv(data: bytes, *, depth: int = 0) -> Iterator[Tlv]:
    """Yield the objects of one level, parsing constructed values recursively."""
    if depth > MAX_DEPTH:
        raise TlvError(f"nested deeper than {MAX_DEPTH} levels")
    data = bytes(data)
    for _, tag, start, end in scan(data):
        value = data[start:end]
        children = tuple(iter_tlv(value, depth=depth + 1)) if is_constructed(tag) else ()
        yield Tlv(tag, value, children)


def parse(data: bytes) -> list[Tlv]:
    """All top-level objects of `data`, in order, duplicates kept. Raises TlvError."""
    return list(iter_tlv(data))


def find(nodes: Iterable[Tlv], tag: str) -> Tlv | None:
    """First object with `tag`, depth first in card order."""
    for node in nodes:
        if node.tag == tag:
            return node
        hit = find(node.children, tag)
        if hit is not None:
            return hit
    return None


def find_all(nodes: Iterable[Tlv], tag: str) -> list[Tlv]:
    hits: list[Tlv] = []
    for node in nodes:
        if node.tag == tag:
            hits.append(node)
        hits.extend(find_all(node.children, tag))
    return hits


def primitives(nodes: Iterable[Tlv]) -> dict[str, bytes]:
    """Every primitive value by tag, depth first; the first occurrence of a tag wins."""
    out: dict[str, bytes] = {}
    for node in nodes:
        if node.children or node.constructed:
            for tag, value in primitives(node.children).items():
                out.setdefault(tag, value)
        else:
            out.setdefault(node.tag, node.value)
    return out


# -- building -------------------------------------------------------------------------------
def encode_length(length: int) -> bytes:
    if length < 0:
        raise ValueError("negative length")
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    if size > 4:
        raise ValueError(f"length {length} does not fit BER-TLV")
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def tag_bytes(tag: str) -> bytes:
    raw = bytes.fromhex(tag)
    if not raw:
        raise ValueError("empty tag")
    return raw


def encode(tag: str, value: bytes) -> bytes:
    value = bytes(value)
    return tag_bytes(tag) + encode_length(len(value)) + value


def build(items: Iterable[tuple[str, bytes]] | Mapping[str, bytes]) -> bytes:
    """Concatenate objects (tag, value) in order; a mapping keeps its insertion order."""
    pairs = items.items() if isinstance(items, Mapping) else items
    return b"".join(encode(tag, value) for tag, value in pairs)


# -- data object lists (PDOL, CDOL, log format 9F4F) -------------------------------------------
def parse_dol(data: bytes, max_total: int | None = None) -> list[tuple[str, int]]:
    """A DOL is tag + length pairs without values. Each length is checked (at most
    MAX_DOL_ENTRY, and all together at most `max_total` when given) before anyone builds the
    values: a card declaring 1 GiB gets a TlvError, never an allocation. Raises TlvError."""
    data = bytes(data)
    entries: list[tuple[str, int]] = []
    pos, total = 0, 0
    while pos < len(data):
        start = pos
        if data[pos] in PADDING:
            raise TlvError(f"DOL has no valid tag at offset {start}")
        tag, pos = read_tag(data, pos)
        length, pos = read_length(data, pos)
        total += length
        if length > MAX_DOL_ENTRY:
            raise TlvError(f"DOL entry {tag} asks for {length} bytes (at most {MAX_DOL_ENTRY})")
        if max_total is not None and total > max_total:
            raise TlvError(f"DOL asks for {total} bytes or more (at most {max_total})")
        entries.append((tag, length))
    return entries


def encode_dol(entries: Iterable[tuple[str, int]]) -> bytes:
    return b"".join(tag_bytes(tag) + encode_length(length) for tag, length in entries)


def dol_length(entries: Iterable[tuple[str, int]]) -> int:
    return sum(length for _, length in entries)


def split_dol_values(entries: Iterable[tuple[str, int]], data: bytes) -> dict[str, bytes]:
    """Cut concatenated DOL values (a log record, PDOL data) back into tag -> value."""
    data = bytes(data)
    out: dict[str, bytes] = {}
    pos = 0
    for tag, length in entries:
        if pos + length > len(data):
            raise TlvError(f"DOL data ends inside {tag}: {len(data)} bytes for "
                           f"{pos + length} needed")
        out.setdefault(tag, data[pos:pos + length])
        pos += length
    return out
