"""Emulated card profiles: one TOML file per card in drivers/chipcard/profiles/.

A profile describes the card as data (ATR, directory, applications, cardholder fields, record
layout, counters, log, faults); the emulated card derives the EMV encodings from it, so a
profile never carries hand-made BCD.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..resources import shipped

PROFILE_DIR = shipped("drivers.chipcard", "profiles")


class ProfileError(ValueError):
    """A profile file is unusable; the message names the file and the key."""


@dataclass(frozen=True)
class Cardholder:
    pan: str
    expiry: dt.date
    name: str
    pan_sequence: str = "01"
    effective: dt.date | None = None
    id_number: str = ""
    id_type: int = 0
    service_code: str = "220"


@dataclass(frozen=True)
class RecordLayout:
    sfi: int
    record: int
    tags: tuple[str, ...]
    truncate: int = 0   # drop this many bytes from the end: a card answering broken TLV


@dataclass(frozen=True)
class LogEntry:
    date: dt.date
    time: dt.time
    amount: Decimal
    merchant: str
    transaction_type: int = 0
    currency: int = 156


@dataclass(frozen=True)
class AppProfile:
    aid: str
    label: str
    cardholder: Cardholder
    records: tuple[RecordLayout, ...]
    priority: int = 1
    preferred_name: str = ""
    blocked: bool = False
    pdol: str = ""
    aip: str = "7C00"
    gpo_format: int = 2
    atc: int = 1
    log_sfi: int = 0
    values: dict[str, str] = field(default_factory=dict)   # static tags for records (hex)
    data: dict[str, str] = field(default_factory=dict)     # GET DATA tags (hex)
    log: tuple[LogEntry, ...] = ()


@dataclass(frozen=True)
class CardProfile:
    name: str
    description: str
    atr: bytes
    applications: tuple[AppProfile, ...]
    protocol: str = "T1"
    pse: bool = True
    ppse: bool = False
    card_blocked: bool = False
    pin: str = "123456"
    pin_tries: int = 3
    pin_try_limit: int = 3
    get_response_chunk: int = 0   # T=0: at most this many bytes per GET RESPONSE (0: all)


def profile_names(directory: Path = PROFILE_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.toml"))


def _hex(text: str, where: str) -> bytes:
    try:
        return bytes.fromhex(text.replace(" ", ""))
    except ValueError as exc:
        raise ProfileError(f"{where}: {text!r} is not hex") from exc


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise ProfileError(f"{where}: expected a TOML date like 2030-12-31, found {value!r}")


def _get(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ProfileError(f"{where}: missing key {key!r}")
    return table[key]


def _cardholder(table: dict[str, Any], where: str) -> Cardholder:
    pan = str(_get(table, "pan", where))
    if not pan.isdigit() or not 12 <= len(pan) <= 19:
        raise ProfileError(f"{where}.pan: expected 12-19 digits")
    return Cardholder(
        pan=pan, expiry=_date(_get(table, "expiry", where), f"{where}.expiry"),
        name=str(_get(table, "name", where)),
        pan_sequence=str(table.get("pan_sequence", "01")),
        effective=_date(table["effective"], f"{where}.effective") if "effective" in table else None,
        id_number=str(table.get("id_number", "")), id_type=int(table.get("id_type", 0)),
        service_code=str(table.get("service_code", "220")))


def _application(table: dict[str, Any], where: str) -> AppProfile:
    records = tuple(
        RecordLayout(sfi=int(_get(r, "sfi", f"{where}.records[{i}]")),
                     record=int(_get(r, "record", f"{where}.records[{i}]")),
                     tags=tuple(str(t).upper() for t in _get(r, "tags", f"{where}.records[{i}]")),
                     truncate=int(r.get("truncate", 0)))
        for i, r in enumerate(table.get("records", [])))
    log = tuple(
        LogEntry(date=_date(_get(e, "date", f"{where}.log[{i}]"), f"{where}.log[{i}].date"),
                 time=_get(e, "time", f"{where}.log[{i}]"),
                 amount=Decimal(str(_get(e, "amount", f"{where}.log[{i}]"))),
                 merchant=str(e.get("merchant", "")),
                 transaction_type=int(e.get("type", 0)), currency=int(e.get("currency", 156)))
        for i, e in enumerate(table.get("log", [])))
    values = {k.upper(): v for k, v in table.get("values", {}).items()}
    data = {k.upper(): v for k, v in table.get("data", {}).items()}
    for tag, text in {**values, **data}.items():
        _hex(text, f"{where}.values.{tag}")
    app = AppProfile(
        aid=str(_get(table, "aid", where)).upper(), label=str(table.get("label", "")),
        cardholder=_cardholder(_get(table, "card", where), f"{where}.card"), records=records,
        priority=int(table.get("priority", 1)), preferred_name=str(table.get("preferred_name", "")),
        blocked=bool(table.get("blocked", False)), pdol=str(table.get("pdol", "")).replace(" ", ""),
        aip=str(table.get("aip", "7C00")), gpo_format=int(table.get("gpo_format", 2)),
        atc=int(table.get("atc", 1)), log_sfi=int(table.get("log_sfi", 0)),
        values=values, data=data, log=log)
    _hex(app.aid, f"{where}.aid")
    _hex(app.pdol, f"{where}.pdol")
    if app.gpo_format not in (1, 2):
        raise ProfileError(f"{where}.gpo_format: expected 1 or 2")
    if not records:
        raise ProfileError(f"{where}.records: an application needs at least one record")
    return app


def load_profile(name: str, directory: Path = PROFILE_DIR) -> CardProfile:
    path = directory / f"{name}.toml"
    try:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
    except FileNotFoundError:
        known = ", ".join(profile_names(directory))
        raise ProfileError(f"no card profile {name!r} (known: {known})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: {exc}") from exc
    where = path.name
    apps = tuple(_application(a, f"{where}: applications[{i}]")
                 for i, a in enumerate(_get(table, "applications", where)))
    protocol = str(table.get("protocol", "T1"))
    if protocol not in ("T0", "T1"):
        raise ProfileError(f"{where}: protocol must be T0 or T1")
    return CardProfile(
        name=name, description=str(table.get("description", "")),
        atr=_hex(str(_get(table, "atr", where)), f"{where}: atr"), applications=apps,
        protocol=protocol, pse=bool(table.get("pse", True)), ppse=bool(table.get("ppse", False)),
        card_blocked=bool(table.get("card_blocked", False)), pin=str(table.get("pin", "123456")),
        pin_tries=int(table.get("pin_tries", 3)), pin_try_limit=int(table.get("pin_try_limit", 3)),
        get_response_chunk=int(table.get("get_response_chunk", 0)))
