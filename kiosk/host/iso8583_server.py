"""The sandbox bank served over ISO 8583 on TCP (`kiosk host serve --listen HOST:PORT`).

One thread per connection; every request is answered by the same SandboxBank methods the
in-process link uses, so both backends behave alike. `inject()` scripts faults for tests and
demos: `silence` (apply, never answer), `garbage` (apply, answer with bytes that do not decode),
`drop` (close the connection without reading further).
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import logging
import socket
import socketserver
import threading
from typing import Any, Callable

from kiosk.privacy import scrub

from .iso8583_wire import Dialect, FrameError, dumps, load_dialect, read_frame, send_frame
from .link import HostDeclined, HostError, HostMalformed, HostUnavailable
from .models import ReversalAdvice, TransferKind, TransferRequest
from .sandbox import SandboxBank

log = logging.getLogger(__name__)

FAULTS = ("silence", "garbage", "drop")


def _response_mti(mti: str) -> str:
    return mti[:2] + str(int(mti[2]) + 1) + "0"


class Iso8583Server:
    def __init__(self, bank: SandboxBank, listen: tuple[str, int] = ("127.0.0.1", 0), *,
                 dialect: Dialect | None = None):
        self.bank = bank
        self.dialect = dialect or load_dialect()
        self._faults: collections.deque[tuple[str, str]] = collections.deque()
        self._faults_lock = threading.Lock()
        self.received: collections.Counter[str] = collections.Counter()  # requests per MTI
        self._thread: threading.Thread | None = None
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server._serve_connection(self.request)

        class TCPServer(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._tcp = TCPServer(listen, Handler)
        codes = self.dialect.processing_codes
        self._inquiries: dict[str, Callable[[dict], Any]] = {
            codes["identify_card"]: lambda d: self.bank.identify_card(d["2"]),
            codes["verify_pin"]: lambda d: self.bank.verify_pin(d["2"], bytes.fromhex(d["52"])),
            codes["accounts"]: lambda d: self.bank.accounts(d["2"]),
            codes["transactions"]: self._transactions,
            codes["statement"]: self._statement,
            codes["payees"]: lambda d: self.bank.payees(d["2"]),
            codes["verify_payee"]: lambda d: self.bank.verify_payee(d["103"], _extra(d)["name"]),
            codes["limits"]: lambda d: self.bank.limits(d["2"]),
            codes["fee_schedule"]: lambda d: self.bank.fee_schedule(d["103"]),
            codes["fee"]: lambda d: {"fee_fen": self.bank.fee(int(d["4"]), d["103"])},
            codes["report_lost"]: lambda d: self.bank.report_lost(d["2"], _extra(d)["id_number"]),
        }

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._tcp.server_address[:2]
        return host, port

    def start(self) -> "Iso8583Server":
        self._thread = threading.Thread(target=self._tcp.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="iso8583-server", daemon=True)
        self._thread.start()
        log.info("ISO 8583 sandbox host listening on %s:%d", *self.address)
        return self

    def serve_forever(self) -> None:
        log.info("ISO 8583 sandbox host listening on %s:%d", *self.address)
        self._tcp.serve_forever(poll_interval=0.5)

    def stop(self) -> None:
        if self._thread is not None:
            self._tcp.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._tcp.server_close()

    def __enter__(self) -> "Iso8583Server":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def inject(self, fault: str, mti: str = "0200", times: int = 1) -> None:
        """Misbehave on the next `times` requests of type `mti`."""
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}")
        with self._faults_lock:
            self._faults.extend([(fault, mti)] * times)

    def _take_fault(self, mti: str) -> str | None:
        with self._faults_lock:
            for item in self._faults:
                if item[1] == mti:
                    self._faults.remove(item)
                    return item[0]
        return None

    # -- connection loop --------------------------------------------------------------------------
    def _serve_connection(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        while True:
            try:
                raw = read_frame(sock)
            except (FrameError, OSError):
                return
            try:
                request = self.dialect.decode(raw)
            except Exception as exc:  # pyiso8583 raises DecodeError and friends
                log.warning("undecodable request (%s): closing the connection", scrub(str(exc)))
                return
            mti = request.get("t", "")
            self.received[mti] += 1
            fault = self._take_fault(mti)
            if fault == "drop":
                return
            reply = self._answer(request)
            if fault == "silence":
                continue
            try:
                send_frame(sock, b"\x00garbage" if fault == "garbage" else self.dialect.encode(reply))
            except OSError:
                return

    def _answer(self, request: dict) -> dict[str, Any]:
        mti = request["t"]
        reply: dict[str, Any] = {"t": _response_mti(mti)}
        for key in ("3", "7", "11", "41"):
            if key in request:
                reply[key] = request[key]
        try:
            if mti == self.dialect.message_types["transfer"]:
                reply.update(self._transfer(request))
            elif mti in (self.dialect.message_types["reversal"],
                         self.dialect.message_types["reversal_repeat"]):
                reply["t"] = "0430"
                reply["62"] = json.dumps({"reversed": self._reverse(request)})
            elif mti == self.dialect.message_types["settlement"]:
                day = dt.date.fromisoformat(_extra(request)["day"])
                reply["62"] = dumps(self.bank.settlement(request["41"], day))
            elif mti == self.dialect.message_types["inquiry"]:
                handler = self._inquiries.get(request.get("3", ""))
                if handler is None:
                    raise HostMalformed(f"unknown processing code {request.get('3')!r}")
                reply["62"] = dumps(handler(request))
            else:
                raise HostMalformed(f"unsupported message type {mti}")
            reply.setdefault("39", "00")
        except HostDeclined as exc:
            reply["39"] = self.dialect.code_for(exc.reason)
        except HostMalformed:
            reply["39"] = "30"
        except HostUnavailable:
            reply["39"] = "96"
        except (KeyError, ValueError, TypeError) as exc:
            log.warning("request %s missing or bad field: %s", mti, scrub(repr(exc)))
            reply["39"] = "30"
        except HostError:
            reply["39"] = "96"
        return reply

    def _transactions(self, request: dict) -> Any:
        extra = _extra(request)
        return self.bank.transactions(request["102"], dt.date.fromisoformat(extra["date_from"]),
                                      dt.date.fromisoformat(extra["date_to"]),
                                      int(extra["page"]), int(extra["page_size"]))

    def _statement(self, request: dict) -> Any:
        extra = _extra(request)
        statement = self.bank.statement(request["102"], dt.date.fromisoformat(extra["date_from"]),
                                        dt.date.fromisoformat(extra["date_to"]))
        page, size = int(extra["page"]), int(extra["page_size"])
        lines = statement.lines[(page - 1) * size:page * size]
        return {"statement": json.loads(dumps(statement)) | {"lines": json.loads(dumps(lines))},
                "total": len(statement.lines)}

    def _transfer(self, request: dict) -> dict[str, Any]:
        extra = _extra(request)
        result = self.bank.transfer(TransferRequest(
            request["41"], int(request["11"]), request["102"], request["103"], extra["to_name"],
            int(request["4"]), TransferKind(extra["kind"]), extra.get("memo", "")))
        reply = {"39": self.dialect.code_for(result.reason) if result.reason else "00",
                 "28": f"D{result.fee_fen:08d}"}
        if result.reference:
            reply["37"] = result.reference
        return reply

    def _reverse(self, request: dict) -> bool:
        original = request["90"]
        return self.bank.reverse(ReversalAdvice(request["41"], int(original[4:10]),
                                                int(request["4"]), request["102"],
                                                original[10:20]),
                                 repeat=request["t"] == "0421")


def _extra(request: dict) -> dict:
    try:
        return json.loads(request.get("48") or "{}")
    except json.JSONDecodeError as exc:
        raise HostMalformed("field 48 is not JSON") from exc
