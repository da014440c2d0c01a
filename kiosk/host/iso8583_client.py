"""HostLink over ISO 8583: one TCP connection, 2-byte length framing, persistent STANs.

Inquiries (0100) are retried once on a fresh connection; a financial message (0200) never is:
if its answer does not come, the outcome is unknown and the caller reverses it (0420, then 0421
repeats from the durable queue). Late answers to earlier requests are recognised by STAN and
dropped. Logs name message types, STANs and response codes only, never field contents.

Saved payee list: a 0100 inquiry with processing code 930000 (type 93 is in ISO 8583's
private-use range 90-99, like 91 loss report and 96 PIN check here; 00/00 account types) and the
card in field 2. The 0110 answer carries the list in private field 62, as JSON like every
inquiry's answer: [{"bank_name", "name", "name_masked", "account_number", "account_masked"}],
most recently paid first, at most 10 (about 1.5 KB of the field's 9,999 bytes). Full names and
numbers travel because the kiosk pays the chosen payee with them; they are never logged.

Texts in both languages: the host names banks and describes transactions in Chinese
("bank_name", "description") and in English beside them ("bank_name_en", "description_en", in
the same JSON objects of field 62: transactions, statements, payee checks, saved payees). A host
that gives one language leaves the "_en" keys out (or sends ""); the kiosk then shows what it
gave in either language (kiosk.host.models.Bilingual).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from drivers.privacy import mask_number

from .iso8583_wire import (ECHO_TEST, Dialect, WireFrameError, WireError, from_wire,
                           load_dialect, loads, parse_address, read_frame, send_frame)
from .link import MAX_PAYEES, HostDeclined, HostLink, HostMalformed, HostTimeout, HostUnavailable
from .models import (Account, CardIdentity, FeeSchedule, Limits, LossReport, Payee, PayeeCheck,
                     PinResult, ReversalAdvice, SettlementTotals, Statement, TransactionPage,
                     TransferOutcome, TransferRequest, TransferResult)
from .stan import StanCounter
from .tls import client_context

log = logging.getLogger(__name__)

# Statement lines per 0110: a line with its description in both languages is up to ~250 bytes
# of JSON (40 lines of the longest figures and texts measured 9,986 of field 62's 9,999).
STATEMENT_PAGE = 30
MAX_STATEMENT_PAGES = 340   # 10,200 lines: a host that says "more" for ever is malformed


@dataclass(frozen=True)
class StatementPage:
    statement: Statement
    total: int


@dataclass(frozen=True)
class FeeQuote:
    fee_fen: int

    def __post_init__(self) -> None:
        if self.fee_fen < 0:
            raise ValueError("negative fee")


@dataclass(frozen=True)
class ReversalAnswer:
    reversed: bool = False


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def host_time(field7: str, ours: dt.datetime) -> dt.datetime:
    """Field 7 (MMDDhhmmss, the host's local time) as a datetime in the year nearest `ours`."""
    try:
        moments = [dt.datetime.strptime(f"{year}{field7}", "%Y%m%d%H%M%S").replace(
            tzinfo=ours.tzinfo) for year in (ours.year - 1, ours.year, ours.year + 1)]
    except ValueError:
        raise HostMalformed(f"bank host's time {field7!r} is not MMDDhhmmss") from None
    return min(moments, key=lambda m: abs((m - ours).total_seconds()))


def _stale(sock: socket.socket) -> bool:
    """True if the peer closed or sent application data since the last answer. A TLS 1.3 host's
    session tickets also make the socket readable; they are no reason to reconnect."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    if not isinstance(sock, ssl.SSLSocket):
        return True
    timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        sock.recv(1)
        return True         # data (a late answer) or b"" (closed)
    except ssl.SSLWantReadError:
        return False        # only TLS records of its own
    except OSError:
        return True
    finally:
        sock.settimeout(timeout)


class Iso8583Client(HostLink):
    def __init__(self, address: str, *, terminal_id: str, acquirer_id: str, stans: StanCounter,
                 timeout_s: float = 10.0, reversal_timeout_s: float = 5.0,
                 dialect: Dialect | None = None, clock: Callable[[], dt.datetime] = _now,
                 tls: ssl.SSLContext | None = None):
        self.address = address
        self._endpoint = parse_address(address)
        self.terminal_id = terminal_id
        self.acquirer_id = acquirer_id
        self.timeout_s = timeout_s
        self.reversal_timeout_s = reversal_timeout_s
        self._stans = stans
        self._dialect = dialect or load_dialect()
        self._clock = clock
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._tls = tls

    @classmethod
    def from_config(cls, config, **kwargs) -> "Iso8583Client":
        host = config.host
        if not host.plaintext_demo:
            kwargs.setdefault("tls", client_context(config.path(host.tls_ca),
                                                    config.path(host.tls_cert),
                                                    config.path(host.tls_key)))
        return cls(host.address, terminal_id=host.terminal_id, acquirer_id=host.acquirer_id,
                   stans=StanCounter(config.path(host.state)), timeout_s=host.timeout_s,
                   reversal_timeout_s=host.reversal_timeout_s, **kwargs)

    def close(self) -> None:
        with self._lock:
            self._disconnect()
        self._stans.close()

    # -- transport ------------------------------------------------------------------------------
    def _disconnect(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None

    def _connection(self, deadline: float) -> socket.socket:
        sock = self._sock
        if sock is not None and _stale(sock):
            # The peer closed, or late answers are waiting: start from a clean connection.
            self._disconnect()
            sock = None
        if sock is None:
            try:
                sock = socket.create_connection(self._endpoint,
                                                timeout=max(deadline - time.monotonic(), 0.001))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self._tls is not None:
                    sock = self._tls.wrap_socket(sock, server_hostname=self._endpoint[0])
            except (OSError, ssl.SSLError) as exc:
                raise HostUnavailable(f"bank host {self.address} unreachable: {exc}; check the "
                                      "network, [host] address and the TLS files") from exc
            self._sock = sock
        return sock

    def _exchange(self, doc: dict[str, Any], *, financial: bool, retry: bool = True,
                  timeout_s: float | None = None) -> dict[str, Any]:
        """Send one request and return its answer (matched by STAN and response type), all
        within `timeout_s`: connecting, sending and every recv share that one deadline.
        Non-financial requests are sent once more on a fresh connection unless `retry` is off."""
        timeout_s = timeout_s or self.timeout_s
        now = self._clock()
        doc.setdefault("7", now.strftime("%m%d%H%M%S"))
        doc.setdefault("11", f"{self._stans.next():06d}")
        doc["41"] = self.terminal_id
        doc["32"] = self.acquirer_id
        mti, stan = doc["t"], doc["11"]
        try:
            raw = self._dialect.encode(doc)
        except Exception as exc:
            raise HostMalformed(f"request {mti} could not be encoded: {exc}") from exc
        attempts = 2 if retry and not financial else 1
        with self._lock:
            deadline = time.monotonic() + timeout_s
            for attempt in range(attempts):
                last = attempt == attempts - 1
                try:
                    sock = self._connection(deadline)
                    sock.settimeout(max(deadline - time.monotonic(), 0.001))
                    send_frame(sock, raw)
                    return self._await(sock, mti, stan, deadline)
                except (socket.timeout, TimeoutError) as exc:
                    self._disconnect()
                    if financial or last or time.monotonic() >= deadline:
                        raise HostTimeout(f"bank host {self.address} did not answer {mti} STAN "
                                          f"{stan} within {timeout_s:g} s") from exc
                except (WireFrameError, OSError) as exc:
                    self._disconnect()
                    if financial:
                        raise HostTimeout(f"connection to bank host {self.address} lost while "
                                          f"waiting for {mti} STAN {stan}") from exc
                    if last:
                        raise HostUnavailable(f"bank host {self.address} closed the connection:"
                                              f" {exc}") from exc
        raise AssertionError("unreachable")

    def _await(self, sock: socket.socket, mti: str, stan: str, deadline: float) -> dict[str, Any]:
        expected = "0430" if mti.startswith("04") else mti[:2] + str(int(mti[2]) + 1) + "0"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("deadline passed")
            raw = read_frame(sock, deadline)
            try:
                reply = self._dialect.decode(raw)
            except WireError as exc:
                self._disconnect()
                raise HostMalformed(f"bank host {self.address} sent an unreadable answer to "
                                    f"{mti} STAN {stan}: {exc}") from None
            if reply.get("t") == expected and reply.get("11") == stan:
                log.debug("%s STAN %s -> %s %s", mti, stan, reply.get("t"), reply.get("39"))
                return reply
            log.warning("dropping late answer %s STAN %s", reply.get("t"), reply.get("11"))

    def _inquiry(self, name: str, fields: dict[str, Any], extra: dict | None = None) -> Any:
        doc: dict[str, Any] = {"t": self._dialect.message_types["inquiry"],
                               "3": self._dialect.processing_codes[name], **fields}
        if extra is not None:
            doc["48"] = json.dumps(extra, ensure_ascii=False)
        reply = self._exchange(doc, financial=False)
        self._raise_for(reply)
        if "62" not in reply:
            raise HostMalformed(f"bank host {self.address} answer to {name} has no data")
        return self._json(reply)

    def _json(self, reply: dict[str, Any]) -> Any:
        try:
            return loads(reply.get("62"))
        except WireError as exc:
            raise HostMalformed(f"bank host {self.address} field 62: {exc}") from None

    def _raise_for(self, reply: dict[str, Any]) -> None:
        code = reply.get("39", "")
        if code == "00":
            return
        reason = self._dialect.reason_for(code)
        if reason is None:
            raise HostMalformed(f"bank host answered with unknown response code {code!r}")
        if reason == "host_malformed":
            raise HostMalformed(f"bank host refused the request as malformed (39={code})")
        if reason == "host_unavailable":
            raise HostUnavailable(f"bank host reports a system malfunction (39={code})")
        raise HostDeclined(f"bank host declined (39={code})", reason)

    def _model(self, tp: Any, data: Any) -> Any:
        try:
            return from_wire(tp, data)
        except (KeyError, TypeError, ValueError, RecursionError) as exc:
            raise HostMalformed(f"bank host answer does not fit {tp}: {exc}") from None

    # -- HostLink -----------------------------------------------------------------------------
    def identify_card(self, pan: str, pan_sequence: str | None = None) -> CardIdentity:
        return self._model(CardIdentity, self._inquiry("identify_card", {"2": pan}))

    def verify_pin(self, pan: str, pin_block: bytes) -> PinResult:
        result = self._model(PinResult, self._inquiry("verify_pin", {"2": pan, "52": pin_block.hex().upper()}))
        log.info("PIN check for %s: %s", mask_number(pan), "ok" if result.ok else "wrong")
        return result

    def accounts(self, pan: str) -> list[Account]:
        return self._model(list[Account], self._inquiry("accounts", {"2": pan}))

    def transactions(self, account_id: str, date_from: dt.date, date_to: dt.date,
                     page: int = 1, page_size: int = 10) -> TransactionPage:
        data = self._inquiry("transactions", {"102": account_id},
                             {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
                              "page": page, "page_size": page_size})
        return self._model(TransactionPage, data)

    def statement(self, account_id: str, date_from: dt.date, date_to: dt.date) -> Statement:
        lines, page = [], 1
        while True:
            data = self._inquiry("statement", {"102": account_id},
                                 {"date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
                                  "page": page, "page_size": STATEMENT_PAGE})
            page_data = self._model(StatementPage, data)
            part = page_data.statement
            lines += part.lines
            if len(lines) >= page_data.total or not part.lines:
                break
            page += 1
            if page > MAX_STATEMENT_PAGES:
                raise HostMalformed(f"bank host {self.address} statement runs past "
                                    f"{MAX_STATEMENT_PAGES} pages")
        return Statement(part.account, part.date_from, part.date_to, part.opening_fen,
                         part.closing_fen, lines)

    def payees(self, pan: str) -> list[Payee]:
        return self._model(list[Payee], self._inquiry("payees", {"2": pan}))[:MAX_PAYEES]

    def verify_payee(self, account_number: str, name: str) -> PayeeCheck:
        return self._model(PayeeCheck, self._inquiry("verify_payee", {"103": account_number},
                                                     {"name": name}))

    def limits(self, pan: str) -> Limits:
        return self._model(Limits, self._inquiry("limits", {"2": pan}))

    def fee_schedule(self, to_account_number: str) -> FeeSchedule:
        return self._model(FeeSchedule, self._inquiry("fee_schedule", {"103": to_account_number}))

    def fee(self, amount_fen: int, to_account_number: str) -> int:
        data = self._inquiry("fee", {"4": f"{amount_fen:012d}", "103": to_account_number})
        return self._model(FeeQuote, data).fee_fen

    def report_lost(self, pan: str, id_number: str) -> LossReport:
        return self._model(LossReport, self._inquiry("report_lost", {"2": pan},
                                                     {"id_number": id_number}))

    def transfer(self, request: TransferRequest) -> TransferResult:
        ins = request.instruction
        doc = {"t": self._dialect.message_types["transfer"],
               "3": self._dialect.processing_codes["transfer"],
               "4": f"{ins.amount_fen:012d}", "11": f"{request.stan:06d}", "49": "156",
               "102": ins.from_account_id, "103": ins.to_account_number,
               "48": json.dumps({"to_name": ins.to_name, "kind": ins.kind.value,
                                 "memo": ins.memo, "auth_ref": ins.auth_ref},
                                ensure_ascii=False)}
        reply = self._exchange(doc, financial=True)
        code = reply.get("39", "")
        fee = int(reply.get("28", "D00000000")[1:])   # the dialect checked it is D + 8 digits
        if code == "00":
            if not reply.get("37"):
                raise HostMalformed("approved transfer without a retrieval reference number")
            return TransferResult(TransferOutcome.APPROVED, reply["37"], fee, "", request.stan)
        reason = self._dialect.reason_for(code)
        if not reason:
            raise HostMalformed(f"bank host answered a transfer with response code {code!r}")
        return TransferResult(TransferOutcome.DECLINED, reply.get("37", ""), 0, reason,
                              request.stan)

    def reverse(self, advice: ReversalAdvice, repeat: bool = False) -> bool:
        types = self._dialect.message_types
        original = (self._dialect.message_types["transfer"] + f"{advice.stan:06d}"
                    + advice.transmitted_at + self.acquirer_id.zfill(11) + "0" * 11)
        doc = {"t": types["reversal_repeat" if repeat else "reversal"],
               "3": self._dialect.processing_codes["transfer"],
               "4": f"{advice.amount_fen:012d}", "90": original, "102": advice.from_account_id}
        # No retry here: the store-and-forward queue repeats it, as 0421.
        reply = self._exchange(doc, financial=False, retry=False,
                               timeout_s=self.reversal_timeout_s)
        self._raise_for(reply)
        return self._model(ReversalAnswer, self._json(reply)).reversed

    def echo(self) -> dt.datetime:
        """0800 echo test (field 70 = 301), sent once (no retry); the 0810's field 7 is the
        host's own transmission time (MMDDhhmmss, no year: the nearest year to ours)."""
        doc = {"t": self._dialect.message_types["echo"], "70": ECHO_TEST}
        reply = self._exchange(doc, financial=False, retry=False)
        self._raise_for(reply)
        return host_time(reply.get("7", ""), self._clock())

    def settlement(self, terminal_id: str, day: dt.date) -> SettlementTotals:
        doc = {"t": self._dialect.message_types["settlement"],
               "48": json.dumps({"day": day.isoformat()})}
        reply = self._exchange(doc, financial=False)
        self._raise_for(reply)
        return self._model(SettlementTotals, self._json(reply))
