"""The typed record of one ID document read from the card, and its checks.

Covers the resident ID card, the foreigner permanent residence card (type I) and the Hong Kong/
Macau/Taiwan residence permit (type J). The full ID number lives only in this object in memory:
repr/str show it masked, and everything meant for people or logs uses `id_masked`. The photo is
an opaque WLT blob kept in memory, never written anywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from drivers.privacy import mask_number

from . import id_number as idn
from .code_tables import gender_name, nation_name
from .errors import CardDataError
from .text_layout import FOREIGNER, HMT, RESIDENT, LayoutError, unpack

LONG_TERM = "长期"
EXTRA_ADDRESS_LEN = 70


@dataclass(frozen=True)
class IdCardChecks:
    """Outcome of the document checks; None means the check does not apply to this document."""
    check_digit_ok: bool | None
    birth_matches: bool | None
    expired: bool
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, repr=False)
class IdCardRecord:
    card_type: str                 # "resident", "I" or "J"
    name: str                      # Chinese name (type I: may be empty)
    gender_code: str
    gender: str
    birth_date: date
    id_number: str                 # full number: memory only, show id_masked
    authority: str
    valid_from: date
    valid_to: date | None          # None: 长期 (long-term)
    address: str = ""
    nation_code: str = ""          # resident card only
    nation: str = ""
    name_en: str = ""              # type I
    nationality: str = ""          # type I, ISO 3166 alpha-3
    card_version: str = ""         # type I
    pass_number: str = ""          # type J
    issue_count: str = ""          # type J
    extra_address: str = ""
    photo: bytes = field(default=b"", compare=False)
    fingerprint: bytes = field(default=b"", compare=False)

    @property
    def id_masked(self) -> str:
        return mask_number(self.id_number)

    @property
    def valid_to_text(self) -> str:
        return LONG_TERM if self.valid_to is None else self.valid_to.isoformat()

    def checks(self, today: date | None = None) -> IdCardChecks:
        """GB 11643 check digit, birth date in the number vs the birth field, expiry."""
        today = today or date.today()
        problems: list[str] = []
        digit_ok: bool | None = None
        birth_ok: bool | None = None
        if self._has_gb11643_number():
            digit_ok = idn.check_digit_ok(self.id_number)
            if not digit_ok:
                problems.append("ID number check digit is wrong: the number was misread or "
                                "the document is not genuine")
            birth_ok = idn.birth_date_in(self.id_number) == self.birth_date
            if not birth_ok:
                problems.append("birth date in the ID number does not match the birth date "
                                "on the card")
        expired = self.valid_to is not None and today > self.valid_to
        if expired:
            problems.append(f"document expired on {self.valid_to_text}")
        return IdCardChecks(digit_ok, birth_ok, expired, tuple(problems))

    def _has_gb11643_number(self) -> bool:
        # the 2017 foreigner card has a 15-character number without a GB 11643 check digit
        return self.card_type != FOREIGNER or len(self.id_number) == 18

    def __repr__(self) -> str:
        return (f"IdCardRecord(card_type={self.card_type!r}, name={self.name!r}, "
                f"id={self.id_masked!r}, valid_to={self.valid_to_text!r})")

    __str__ = __repr__


def parse_card(text: bytes, *, photo: bytes = b"", fingerprint: bytes = b"",
               extra_address: bytes = b"") -> IdCardRecord:
    """Build the record from the card's text block; CardDataError names the bad field."""
    try:
        card_type, f = unpack(text)
    except LayoutError as exc:
        raise CardDataError(f"card text unreadable: {exc}") from exc
    gender = gender_name(f["gender"])
    if gender is None:
        raise CardDataError(f"gender code {f['gender']!r} is not in GB/T 2261.1")
    nation_code, nation = "", ""
    if card_type == RESIDENT:
        nation_code = f["nation"].zfill(2)
        nation = nation_name(nation_code) or ""
        if not nation:
            raise CardDataError(f"nation code {f['nation']!r} is not in GB 3304")
    if not f["id_number"]:
        raise CardDataError("ID number field is empty")
    return IdCardRecord(
        card_type=card_type,
        name=f["name"],
        gender_code=f["gender"],
        gender=gender,
        birth_date=_date(f["birth"], "birth date"),
        id_number=f["id_number"].upper(),
        authority=f["authority"],
        valid_from=_date(f["valid_from"], "valid-from date"),
        valid_to=None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid-to date"),
        address=f.get("address", ""),
        nation_code=nation_code,
        nation=nation,
        name_en=f.get("name_en", ""),
        nationality=f.get("nationality", ""),
        card_version=f.get("version", ""),
        pass_number=f.get("pass_number", ""),
        issue_count=f.get("issue_count", ""),
        extra_address=_extra_address(extra_address),
        photo=bytes(photo),
        fingerprint=bytes(fingerprint),
    )


def _date(text: str, what: str) -> date:
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise CardDataError(f"{what} {text!r} is not a YYYYMMDD date")


def _extra_address(raw: bytes) -> str:
    if not raw:
        return ""
    try:
        return raw.decode("utf-16-le").strip(" \x00")
    except UnicodeDecodeError as exc:
        raise CardDataError("extra address is not UTF-16LE text") from exc


__all__ = ["IdCardRecord", "IdCardChecks", "parse_card", "LONG_TERM", "RESIDENT", "FOREIGNER",
           "HMT", "EXTRA_ADDRESS_LEN"]
