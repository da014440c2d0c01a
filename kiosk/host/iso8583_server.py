"""The sandbox bank served over ISO 8583 on TCP (`kiosk host serve --listen HOST:PORT`).

Every request is answered by the same SandboxBank methods the in-process link uses, so both
backends behave alike. Only known terminals are served: with mutual TLS the terminal id is the
client certificate's common name and must equal field 41 of each request; plain TCP (the demo
profile) checks field 41 alone. A malformed request gets a format-error answer (39=30) and one
scrubbed log line, and the connection keeps being served. An idle or trickling connection is
closed after `idle_timeout_s`; at most `max_connections` are served at once (one thread each),
at most `per_peer` from one address; others are closed at once.

`inject()` scripts faults for tests and demos: `silence` (apply, never answer), `garbage` (apply,
answer with bytes that do not decode), `drop` (close the connection without reading further).
"""
from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import logging
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
from typing import Any, Callable, Collection

from drivers.privacy import scrub
from kiosk.paging import page_items

from . import sandbox_data
from .iso8583_wire import (ECHO_TEST, Dialect, WireFrameError, WireError, dumps, load_dialect,
                           loads, read_frame, send_frame)
from .link import HostDeclined, HostError, HostMalformed, HostUnavailable
from .models import (ReversalAdvice, TransferInstruction, TransferKind,
                     TransferRequest)
from .sandbox import SandboxBank
from .tls import peer_terminal_id

log = logging.getLogger(__name__)

FAULTS = ("silence", "garbage", "drop")
FORMAT_ERROR = "30"
TERMINAL_REFUSED = "58"      # transaction not permitted to terminal


def _response_mti(mti: str) -> str:
    if mti.startswith("04"):
        return "0430"
    if re.fullmatch(r"\d\d[02468]\d", mti):
        return mti[:2] + str(int(mti[2]) + 1) + "0"
    return "0810"


class Iso8583Server:
    def __init__(self, bank: SandboxBank, listen: tuple[str, int] = ("127.0.0.1", 0), *,
                 dialect: Dialect | None = None, tls: ssl.SSLContext | None = None,
                 terminals: Collection[str] = sandbox_data.TERMINALS,
                 idle_timeout_s: float = 30.0, max_connections: int = 64, per_peer: int = 8):
        self.bank = bank
        self.dialect = dialect or load_dialect()
        self.tls = tls
        self.terminals = frozenset(terminals)
        self.idle_timeout_s = idle_timeout_s
        self.max_connections = max_connections
        self.per_peer = per_peer
        self._faults: collections.deque[tuple[str, str]] = collections.deque()
        self._faults_lock = threading.Lock()
        self.received: collections.Counter[str] = collections.Counter()  # requests per MTI
        self.accepted_connections = 0
        self.refused_connections = 0
        self.format_errors = 0
        self._peers: collections.Counter[str] = collections.Counter()
        self._open: dict[int, socket.socket] = {}
        self._keys = itertools.count()
        self._slots = threading.Lock()
        self._thread: threading.Thread | None = None
        server = self

        class TCPServer(socketserver.TCPServer):
            allow_reuse_address = True
            request_queue_size = 128

            def process_request(self, request, client_address) -> None:
                server._admit(request, client_address[0])

            def handle_error(self, request, client_address) -> None:
                # socketserver would print a traceback to stderr (e.g. out of file handles)
                log.warning("connection from %s failed: %s", client_address[0],
                            scrub(repr(sys.exc_info()[1])))

        self._tcp = TCPServer(listen, socketserver.BaseRequestHandler)
        codes = self.dialect.processing_codes
        self._inquiries: dict[str, Callable[[dict], Any]] = {
            codes["identify_card"]: lambda d: self.bank.identify_card(d["2"]),
            codes["verify_pin"]: lambda d: self.bank.verify_pin(d["2"], bytes.fromhex(d["52"]),
                                                                terminal_id=d["41"]),
            codes["accounts"]: lambda d: self.bank.accounts(d["2"]),
            codes["transactions"]: self._transactions,
            codes["statement"]: self._statement,
            codes["payees"]: lambda d: self.bank.payees(d["2"]),
            codes["verify_payee"]: lambda d: self.bank.verify_payee(d["103"],
                                                                    _text(_extra(d), "name")),
            codes["limits"]: lambda d: self.bank.limits(d["2"]),
            codes["fee_schedule"]: lambda d: self.bank.fee_schedule(d["103"]),
            codes["fee"]: lambda d: {"fee_fen": self.bank.fee(int(d["4"]), d["103"])},
            codes["report_lost"]: lambda d: self.bank.report_lost(
                d["2"], _text(_extra(d), "id_number")),
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
        with self._slots:
            open_now = list(self._open.values())
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

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

    # -- connections ----------------------------------------------------------------------------
    def _admit(self, sock: socket.socket, peer: str) -> None:
        with self._slots:
            admitted = len(self._open) < self.max_connections and self._peers[peer] < self.per_peer
            if admitted:
                key = next(self._keys)
                self._open[key] = sock
                self._peers[peer] += 1
                self.accepted_connections += 1
            else:
                self.refused_connections += 1
        if not admitted:
            log.debug("connection from %s refused: too many connections", peer)
            _close(sock)
            return
        threading.Thread(target=self._run, args=(key, sock, peer), name="iso8583-conn",
                         daemon=True).start()

    def _run(self, key: int, sock: socket.socket, peer: str) -> None:
        try:
            certified = None
            if self.tls is not None:
                sock.settimeout(self.idle_timeout_s)
                sock = self.tls.wrap_socket(sock, server_side=True)
                certified = peer_terminal_id(sock)
                with self._slots:
                    self._open[key] = sock
            self._serve_connection(sock, peer, certified)
        except Exception as exc:  # never a traceback on stderr: one scrubbed line
            log.warning("connection from %s ended: %s", peer, scrub(f"{type(exc).__name__}: {exc}"))
        finally:
            with self._slots:
                self._open.pop(key, None)
                self._peers[peer] -= 1
                if not self._peers[peer]:
                    del self._peers[peer]
            _close(sock)

    def _serve_connection(self, sock: socket.socket, peer: str, certified: str | None) -> None:
        while True:
            try:
                raw = read_frame(sock, time.monotonic() + self.idle_timeout_s)
            except (WireFrameError, OSError):
                return
            try:
                request = self.dialect.decode(raw)
            except WireError as exc:
                self._format_error(peer, exc)
                reply = {"t": _response_mti(raw[:4].decode("ascii", "replace")),
                         "39": FORMAT_ERROR}
            else:
                mti = request["t"]
                self.received[mti] += 1
                fault = self._take_fault(mti)
                if fault == "drop":
                    return
                reply = self._answer(request, peer, certified)
                if fault == "silence":
                    continue
                if fault == "garbage":
                    send_frame(sock, b"\x00garbage")
                    continue
            try:
                send_frame(sock, self.dialect.encode(reply))
            except OSError:
                return

    def _format_error(self, peer: str, exc: BaseException) -> None:
        self.format_errors += 1
        log.warning("format error from %s: %s", peer, scrub(f"{type(exc).__name__}: {exc}"))

    def _refuse_terminal(self, request: dict, certified: str | None) -> bool:
        terminal = request.get("41", "")
        if terminal not in self.terminals:
            return True
        return certified is not None and certified != terminal

    def _answer(self, request: dict, peer: str = "", certified: str | None = None) -> dict[str, Any]:
        mti = request["t"]
        reply: dict[str, Any] = {"t": _response_mti(mti)}
        for key in ("3", "7", "11", "41"):
            if key in request:
                reply[key] = request[key]
        if self._refuse_terminal(request, certified):
            log.warning("request %s from %s refused: terminal %r not known%s", mti, peer,
                        request.get("41", ""), "" if certified is None
                        else f" or not the certificate's {certified!r}")
            reply["39"] = TERMINAL_REFUSED
            return reply
        try:
            if mti == self.dialect.message_types["transfer"]:
                reply.update(self._transfer(request))
            elif mti in (self.dialect.message_types["reversal"],
                         self.dialect.message_types["reversal_repeat"]):
                reply["62"] = json.dumps({"reversed": self._reverse(request)})
            elif mti == self.dialect.message_types["echo"]:
                if request.get("70") != ECHO_TEST:
                    raise HostMalformed(f"unknown network management code {request.get('70')!r}")
                reply["7"] = self.bank.echo().strftime("%m%d%H%M%S")   # the host's own time
            elif mti == self.dialect.message_types["settlement"]:
                day = dt.date.fromisoformat(_text(_extra(request), "day"))
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
        except HostUnavailable:
            reply["39"] = "96"
        except (HostMalformed, KeyError, ValueError, TypeError, AttributeError, RecursionError,
                OverflowError) as exc:
            self._format_error(peer, exc)
            reply.pop("62", None)
            reply["39"] = FORMAT_ERROR
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
        lines = page_items(statement.lines, int(extra["page"]), int(extra["page_size"]))
        return {"statement": json.loads(dumps(statement)) | {"lines": json.loads(dumps(lines))},
                "total": len(statement.lines)}

    def _transfer(self, request: dict) -> dict[str, Any]:
        extra = _extra(request)
        instruction = TransferInstruction(
            request["102"], request["103"], _text(extra, "to_name"), int(request["4"]),
            TransferKind(_text(extra, "kind")), _text(extra, "memo", ""),
            auth_ref=_text(extra, "auth_ref", ""))
        result = self.bank.transfer(TransferRequest(request["41"], int(request["11"]), instruction))
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
        extra = loads(request.get("48"))
    except WireError:
        raise HostMalformed("field 48 is not JSON") from None
    if not isinstance(extra, dict):
        raise HostMalformed("field 48 is not a JSON object")
    return extra


def _text(extra: dict, key: str, default: str | None = None) -> str:
    value = extra.get(key, default)
    if not isinstance(value, str):
        raise HostMalformed(f"field 48 {key} is not text")
    return value


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
