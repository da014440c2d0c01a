"""Where each field sits in the card's 256-byte text block (UTF-16LE, space padded).

The card type is at bytes 248-249: blank for the resident ID card, "I" for the foreigner
permanent residence card, "J" for the Hong Kong/Macau/Taiwan residence permit. The driver
unpacks with these tables and the emulator packs with the same ones.
"""
from __future__ import annotations

TEXT_LEN = 256
TYPE_OFFSET = 248

RESIDENT, FOREIGNER, HMT = "resident", "I", "J"
CARD_TYPES = (RESIDENT, FOREIGNER, HMT)

# field -> (offset, size in bytes)
LAYOUTS: dict[str, dict[str, tuple[int, int]]] = {
    RESIDENT: {
        "name": (0, 30), "gender": (30, 2), "nation": (32, 4), "birth": (36, 16),
        "address": (52, 70), "id_number": (122, 36), "authority": (158, 30),
        "valid_from": (188, 16), "valid_to": (204, 16),
    },
    FOREIGNER: {
        "name_en": (0, 120), "gender": (120, 2), "id_number": (122, 30),
        "nationality": (152, 6), "name": (158, 30), "valid_from": (188, 16),
        "valid_to": (204, 16), "birth": (220, 16), "version": (236, 4), "authority": (240, 8),
    },
    HMT: {
        "name": (0, 30), "gender": (30, 2), "birth": (36, 16), "address": (52, 70),
        "id_number": (122, 36), "authority": (158, 30), "valid_from": (188, 16),
        "valid_to": (204, 16), "pass_number": (220, 18), "issue_count": (238, 4),
    },
}
_TYPE_MARK = {RESIDENT: " ", FOREIGNER: "I", HMT: "J"}


class LayoutError(ValueError):
    """The text block does not fit the layout (wrong size, not UTF-16LE, unknown type)."""


def card_type_of(block: bytes) -> str:
    if len(block) != TEXT_LEN:
        raise LayoutError(f"text block is {len(block)} bytes, expected {TEXT_LEN}")
    mark = _decode(block[TYPE_OFFSET:TYPE_OFFSET + 2], "card type")
    mark = mark.strip(" \x00")
    if not mark:
        return RESIDENT
    if mark in (FOREIGNER, HMT):
        return mark
    raise LayoutError(f"unknown card type mark {mark!r}")


def unpack(block: bytes) -> tuple[str, dict[str, str]]:
    """(card type, field -> stripped text) for a 256-byte text block."""
    card_type = card_type_of(block)
    fields = {name: _decode(block[off:off + size], name).strip(" \x00")
              for name, (off, size) in LAYOUTS[card_type].items()}
    return card_type, fields


def pack(card_type: str, fields: dict[str, str]) -> bytes:
    """A 256-byte text block from field texts (missing fields are blank)."""
    layout = LAYOUTS[card_type]
    unknown = set(fields) - set(layout)
    if unknown:
        raise LayoutError(f"{card_type} card has no field(s) {sorted(unknown)}")
    block = bytearray(" ".encode("utf-16-le") * (TEXT_LEN // 2))
    for name, (off, size) in layout.items():
        raw = fields.get(name, "").encode("utf-16-le")
        if len(raw) > size:
            raise LayoutError(f"{name} is {len(raw)} bytes, the field holds {size}")
        block[off:off + len(raw)] = raw
    block[TYPE_OFFSET:TYPE_OFFSET + 2] = _TYPE_MARK[card_type].encode("utf-16-le")
    return bytes(block)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise LayoutError(f"{name} is not UTF-16LE text") from exc
