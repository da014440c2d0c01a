"""What the ISO 8583 client and server share: the spec file, 2-byte length framing, and the JSON
form of the host models carried in the private fields (48 requests, 62 replies).

Nothing here logs message contents: field 2 and 52 hold a full card number and a PIN block.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import socket
import struct
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


class FrameError(Exception):
    """The peer closed the connection or sent a frame that cannot be read."""


@dataclass(frozen=True)
class Dialect:
    fields: dict[str, dict]
    processing_codes: dict[str, str]
    message_types: dict[str, str]
    response_codes: dict[str, str]        # code -> reason id ("" for approved)

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
        doc, _ = iso8583.decode(raw, self.fields)
        return doc


def load_dialect(path: str | Path = SPEC_FILE) -> Dialect:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return Dialect(data["fields"], data["processing_codes"], data["message_types"],
                   data["response_codes"])


def send_frame(sock: socket.socket, payload: bytes) -> None:
    if len(payload) > MAX_FRAME:
        raise FrameError(f"message of {len(payload)} bytes does not fit a 2-byte length")
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def _read_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(n - got)
        if not chunk:
            raise FrameError("connection closed by the peer")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket) -> bytes:
    """One framed message; socket.timeout propagates (the caller owns the deadline)."""
    (length,) = struct.unpack(">H", _read_exact(sock, 2))
    return _read_exact(sock, length)


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


def from_wire(tp: Any, value: Any) -> Any:
    """Rebuild a (nested) host model from its JSON form, guided by the type hints."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: from_wire(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.name in value})
    if origin in (list, tuple):
        args = typing.get_args(tp)
        items = [from_wire(args[0], v) for v in value]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        return {k: from_wire(typing.get_args(tp)[1], v) for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else from_wire(args[0], value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_wire(value), ensure_ascii=False, separators=(",", ":"))
