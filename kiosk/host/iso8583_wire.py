"""What the ISO 8583 client and server share: the spec file, 2-byte length framing, and the JSON
form of the host models carried in the private fields (48 requests, 62 replies).

Nothing here logs message contents: field 2 and 52 hold a full card number and a PIN block.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import re
import socket
import struct
import time
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import iso8583

from kiosk.addresses import parse_host_port as parse_address  # noqa: F401  (re-exported)
from kiosk.resources import shipped

SPEC_FILE = shipped("kiosk.host", "iso8583_spec.json")
MAX_FRAME = 0xFFFF


MAX_WIRE_INT = 10 ** 15       # fen and counters: ¥10 trillion is far beyond any real figure
MAX_WIRE_TEXT = 2_000         # characters of one text value in a JSON field


class WireFrameError(Exception):
    """The peer closed the connection or sent a frame that cannot be read."""


class WireError(ValueError):
    """A message or field that does not follow the dialect (names the field, never its value)."""


ECHO_TEST = "301"   # field 70 of an 0800: network management code of an echo test


@dataclass(frozen=True)
class Dialect:
    fields: dict[str, dict]
    processing_codes: dict[str, str]
    message_types: dict[str, str]
    response_codes: dict[str, str]        # code -> reason id ("" for approved)
    patterns: dict[str, re.Pattern] = dataclasses.field(default_factory=dict)

    def code_for(self, reason: str) -> str:
        for code, known in self.response_codes.items():
            if known == reason:
                return code
        return "96"

    def reason_for(self, code: str) -> str | None:
        return self.response_codes.get(code)

    def encode(self, doc: dict[str, str | bytes]) -> bytes:
        raw, _ = iso8583.encode(dict(doc), self.fields)  # encode mutates its argument
        return bytes(raw)

    def decode(self, raw: bytes) -> dict[str, Any]:
        """The message's fields, each checked against its pattern. Raises WireError only."""
        try:
            doc, _ = iso8583.decode(raw, self.fields)
        except Exception as exc:  # pyiso8583 raises DecodeError, and ValueError on some bytes
            raise WireError(f"undecodable message: {type(exc).__name__}") from None
        self.check(doc)
        return doc

    def check(self, doc: dict[str, Any]) -> None:
        for key, pattern in self.patterns.items():
            value = doc.get(key)
            if value is not None and not (isinstance(value, str) and pattern.fullmatch(value)):
                raise WireError(f"field {key} does not match the dialect")


def load_dialect(path: str | Path = SPEC_FILE) -> Dialect:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    patterns = {key: re.compile(spec["pattern"]) for key, spec in data["fields"].items()
                if "pattern" in spec}
    return Dialect(data["fields"], data["processing_codes"], data["message_types"],
                   data["response_codes"], patterns)


def send_frame(sock: socket.socket, payload: bytes) -> None:
    if len(payload) > MAX_FRAME:
        raise WireFrameError(f"message of {len(payload)} bytes does not fit a 2-byte length")
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def _read_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("deadline passed while reading a frame")
            sock.settimeout(remaining)
        chunk = sock.recv(n - got)
        if not chunk:
            raise WireFrameError("connection closed by the peer")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket, deadline: float | None = None) -> bytes:
    """One framed message, complete by `deadline` (time.monotonic()) if one is given: every
    recv gets only the time left, so a peer that trickles bytes cannot stretch it.
    socket.timeout propagates."""
    (length,) = struct.unpack(">H", _read_exact(sock, 2, deadline))
    return _read_exact(sock, length, deadline)


# -- models as JSON ------------------------------------------------------------------------------
def to_wire(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def loads(text: str | None, default: str = "{}") -> Any:
    """A JSON private field (48, 62); anything unreadable (bad syntax, nesting deep enough to
    exhaust the stack, a 5,000-digit number, NaN) is a WireError."""
    try:
        return json.loads(text or default, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise WireError("private field is not readable JSON") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def from_wire(tp: Any, value: Any) -> Any:
    """Rebuild a (nested) host model from its JSON form, guided by the type hints. Every value
    must have its hinted type (an int is an int within MAX_WIRE_INT, never a bool or a string);
    raises TypeError or ValueError otherwise (and the models' own range checks)."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        _expect(value, dict, tp)
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: from_wire(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.name in value})
    if origin in (list, tuple):
        _expect(value, list, tp)
        args = typing.get_args(tp)
        items = [from_wire(args[0], v) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        _expect(value, dict, tp)
        return {_text(k): from_wire(typing.get_args(tp)[1], v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else from_wire(args[0], value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(_text(value))
    if tp is dt.date:
        return dt.date.fromisoformat(_text(value))
    if tp is bool:
        return _expect(value, bool, tp)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_WIRE_INT:
            raise ValueError("not an integer in range")
        return value
    if tp is str:
        return _text(value)
    raise TypeError(f"no wire form for {tp}")


def _expect(value: Any, kind: type, tp: Any) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{tp} expects {kind.__name__}, found {type(value).__name__}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_WIRE_TEXT:
        raise ValueError("not a text of acceptable length")
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_wire(value), ensure_ascii=False, separators=(",", ":"))
