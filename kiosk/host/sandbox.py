"""The sandbox bank: an in-process HostLink on SQLite (WAL, synchronous=FULL).

A double-entry ledger in integer fen: every entry's postings sum to zero, so the sum of all
balances is always zero. Transfers and reversals are idempotent, keyed by terminal id + STAN:
the same request twice returns the first answer; a reversal that arrives before its original
leaves a tombstone, so the late original is refused.

Saved payees are derived from the ledger: each approved transfer notes whose account it paid
(`transfer_payees`, keyed by ledger entry), and a reversal takes it off the list again.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from kiosk.datafiles import connect
from kiosk.paging import page_start
from kiosk.pin_block import PinBlockError, PinVerifier, check_pin_block, pin_hash
from drivers.privacy import mask_name, mask_number

from . import sandbox_data as data
from .link import MAX_PAYEES, HostDeclined, HostLink, HostMalformed, HostUnavailable
from .models import (FREE, Account, Bilingual, CardIdentity, Customer, FeeSchedule, KindTotals,
                     Limits, LossReport, Payee, PayeeCheck, PinResult, ReversalAdvice,
                     SettlementTotals, Statement, Transaction, TransactionPage, TransferKind,
                     TransferOutcome, TransferRequest, TransferResult)

log = logging.getLogger(__name__)

PER_TRANSACTION_FEN = 10_000_000   # ¥100,000
PER_DAY_FEN = 20_000_000           # ¥200,000
LOSS_REPORT_DAYS = 5               # a temporary loss report lapses after five days
# Mostly letters: a long run of digits could pass the Luhn check, and the privacy scrub would
# then mask the id in the journal as if it were a card number (hex ids did, now and then).
ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def opaque_id() -> str:
    """A random account id of 21 characters that never holds 12 digits in a row."""
    while True:
        tail = "".join(secrets.choice(ID_ALPHABET) for _ in range(20))
        if not any(tail[i:i + 12].isdigit() for i in range(len(tail) - 11)):
            return "A" + tail
IDEMPOTENCY_DAYS = 2               # how long a STAN's answer is repeated / reversible
AUTH_REF_TTL = dt.timedelta(minutes=30)   # a verified PIN authorises transfers this long

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (customer_id TEXT PRIMARY KEY, name TEXT NOT NULL,
    id_number TEXT NOT NULL, vip INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (account_id TEXT PRIMARY KEY, number TEXT UNIQUE NOT NULL,
    customer_id TEXT, kind TEXT NOT NULL, holder_name TEXT NOT NULL, bank_name TEXT NOT NULL,
    credit_limit_fen INTEGER NOT NULL DEFAULT 0, balance_fen INTEGER NOT NULL DEFAULT 0,
    bank_name_en TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS cards (pan TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    account_id TEXT NOT NULL, status TEXT NOT NULL, expires TEXT NOT NULL,
    pin_hash TEXT NOT NULL, pin_salt TEXT NOT NULL, pin_tries_left INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (entry_id INTEGER PRIMARY KEY, posted_at TEXT NOT NULL,
    day TEXT NOT NULL, kind TEXT NOT NULL, description TEXT NOT NULL, reference TEXT NOT NULL,
    terminal_id TEXT, stan INTEGER, reverses INTEGER, description_en TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS postings (entry_id INTEGER NOT NULL, account_id TEXT NOT NULL,
    amount_fen INTEGER NOT NULL, counterparty TEXT NOT NULL DEFAULT '',
    description TEXT, description_en TEXT);
CREATE INDEX IF NOT EXISTS postings_account ON postings (account_id, entry_id);
CREATE TABLE IF NOT EXISTS requests (terminal_id TEXT NOT NULL, stan INTEGER NOT NULL,
    kind TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT NOT NULL, reference TEXT NOT NULL,
    entry_id INTEGER, from_account_id TEXT NOT NULL, amount_fen INTEGER NOT NULL,
    fee_fen INTEGER NOT NULL, day TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS requests_stan ON requests (terminal_id, stan, day);
CREATE INDEX IF NOT EXISTS requests_day ON requests (terminal_id, day);
CREATE INDEX IF NOT EXISTS requests_account_day ON requests (from_account_id, day);
CREATE TABLE IF NOT EXISTS loss_reports (reference TEXT PRIMARY KEY, pan TEXT NOT NULL,
    reported_at TEXT NOT NULL, expires_on TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS transfer_payees (entry_id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL, payee_account_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transfer_payees_customer ON transfer_payees (customer_id, entry_id);
CREATE INDEX IF NOT EXISTS requests_entry ON requests (entry_id);
CREATE TABLE IF NOT EXISTS pin_sessions (auth_ref TEXT PRIMARY KEY, customer_id TEXT NOT NULL,
    terminal_id TEXT, issued_at TEXT NOT NULL);
"""

# Columns added since the first sandbox databases (table, column, declaration): the texts the bank
# gives in both languages. A posting's own description (the fee's line) overrides its entry's.
_ADDED_COLUMNS = (("accounts", "bank_name_en", "TEXT NOT NULL DEFAULT ''"),
                  ("entries", "description_en", "TEXT NOT NULL DEFAULT ''"),
                  ("postings", "description", "TEXT"),
                  ("postings", "description_en", "TEXT"))

_CARD_STATUS_REASONS = {"lost": "card_lost", "expired": "card_expired", "blocked": "card_blocked"}

_TABLES = ("customers", "accounts", "cards", "entries", "postings", "requests", "loss_reports",
           "meta", "transfer_payees", "pin_sessions")


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _described(text: str) -> Bilingual:
    """One of the bank's own descriptions, with its English."""
    return Bilingual(text, data.DESCRIPTIONS_EN[text])


INTERBANK_FEES = FeeSchedule(rate_bp=5, min_fen=200, max_fen=2_500)   # 0.05 %, ¥2 to ¥25


class SandboxBank(HostLink):
    def __init__(self, path: str | Path, *, terminal_key_hex: str, pin_max_tries: int = 3,
                 timeout_s: float = 10.0, clock: Callable[[], dt.datetime] = _now):
        self.path = Path(path)
        self._key = terminal_key_hex
        self._max_tries = pin_max_tries
        self._clock = clock
        self._lock = threading.RLock()
        try:
            self._conn = connect(self.path, timeout_s)
            self._conn.executescript(_SCHEMA)
            self._migrate()
        except sqlite3.Error as exc:
            raise HostUnavailable(f"sandbox bank database {self.path} cannot be opened: {exc}; "
                                  "check the path in [host] database") from exc

    def _migrate(self) -> None:
        """A database from before the bank kept its texts in both languages gets the English
        columns, filled in for the names and descriptions the sandbox itself writes; the fee,
        noted as a transfer line's counterparty then, becomes a line of its own."""
        with self._txn(write=True) as conn:
            added = False
            for table, column, declaration in _ADDED_COLUMNS:
                columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
                    added = True
            if not added:
                return
            conn.executemany("UPDATE accounts SET bank_name_en = ? WHERE bank_name = ? "
                             "AND bank_name_en = ''",
                             [(en, zh) for zh, en in data.BANK_NAMES_EN.items()])
            conn.executemany("UPDATE entries SET description_en = ? WHERE description = ? "
                             "AND description_en = ''",
                             [(en, zh) for zh, en in data.DESCRIPTIONS_EN.items()])
            conn.execute("UPDATE postings SET description = ?, description_en = ?, "
                         "counterparty = '' WHERE counterparty = ?",
                         (data.FEE, data.DESCRIPTIONS_EN[data.FEE], data.FEE))
        log.info("sandbox bank %s: texts in both languages added", self.path)

    @classmethod
    def from_config(cls, config, **kwargs) -> "SandboxBank":
        host = config.host
        return cls(config.path(host.database), terminal_key_hex=host.terminal_key_hex,
                   pin_max_tries=host.pin_max_tries, timeout_s=host.timeout_s, **kwargs)

    def close(self) -> None:
        self._conn.close()

    def echo(self) -> dt.datetime:
        """The bank's clock (the in-process bank is always reachable)."""
        return self._clock()

    @contextmanager
    def _txn(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as exc:
                raise HostUnavailable(f"sandbox bank {self.path} is busy: {exc}; try again") from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise HostUnavailable(f"sandbox bank {self.path} failed: {exc}") from exc
                raise

    # -- seeding -----------------------------------------------------------------------------
    def is_seeded(self) -> bool:
        with self._txn() as conn:
            return conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0] > 0

    def seed(self) -> bool:
        """Create the invented customers if the bank is empty; False if already seeded."""
        now = self._clock()
        with self._txn(write=True) as conn:
            if conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0]:
                return False
            for acc in data.INTERNAL_ACCOUNTS:
                conn.execute("INSERT INTO accounts (account_id, number, kind, holder_name, "
                             "bank_name, bank_name_en) VALUES (?, ?, 'internal', ?, ?, ?)",
                             (acc, acc, acc, data.BANK_NAME, data.BANK_NAME_EN))
            for number, name, bank in data.EXTERNAL_ACCOUNTS:
                conn.execute("INSERT INTO accounts (account_id, number, kind, holder_name, "
                             "bank_name, bank_name_en) VALUES (?, ?, 'external', ?, ?, ?)",
                             ("X" + number[-6:], number, name, bank, data.BANK_NAMES_EN[bank]))
            # Account ids are random (a seed label like A0001 stays in the seed data): knowing
            # one customer's id says nothing about the next.
            ids = {acc.account_id: opaque_id() for cust in data.CUSTOMERS for acc in cust.accounts}
            for cust in data.CUSTOMERS:
                conn.execute("INSERT INTO customers VALUES (?, ?, ?, ?)",
                             (cust.customer_id, cust.name, cust.id_number, int(cust.vip)))
                for acc in cust.accounts:
                    account_id = ids[acc.account_id]
                    conn.execute("INSERT INTO accounts (account_id, number, customer_id, kind, "
                                 "holder_name, bank_name, bank_name_en, credit_limit_fen) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (account_id, acc.number, cust.customer_id, acc.kind,
                                  cust.name, data.BANK_NAME, data.BANK_NAME_EN,
                                  acc.credit_limit_fen))
                    history = [h for h in data.HISTORY if h[1] == acc.account_id]
                    opening = acc.balance_fen - sum(h[2] for h in history)
                    if opening:
                        self._post(conn, now - dt.timedelta(days=60), "opening",
                                   _described(data.OPENING),
                                   [(account_id, opening, ""), (data.EQUITY, -opening, "")])
                    for days, _, amount, text in history:
                        self._post(conn, now - dt.timedelta(days=days), "history",
                                   _described(text),
                                   [(account_id, amount, ""), (data.EQUITY, -amount, "")])
                for card in cust.cards:
                    salt = os.urandom(8).hex()
                    conn.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 (card.pan, cust.customer_id, ids[card.account_id], card.status,
                                  card.expires, pin_hash(data.TEST_PIN, salt), salt,
                                  0 if card.pin_locked else self._max_tries))
        log.info("sandbox bank seeded at %s", self.path)
        return True

    def reset(self) -> None:
        """Empty the bank and seed it again."""
        with self._txn(write=True) as conn:
            for table in _TABLES:
                conn.execute(f"DELETE FROM {table}")
        self.seed()

    def summary(self) -> dict:
        """Customers, masked card numbers and balances (for `kiosk host show`)."""
        with self._txn() as conn:
            rows = conn.execute(
                "SELECT c.name, a.number, a.kind, a.balance_fen, "
                "(SELECT GROUP_CONCAT(status) FROM cards WHERE account_id = a.account_id) "
                "FROM accounts a JOIN customers c USING (customer_id) ORDER BY a.account_id"
            ).fetchall()
            total = conn.execute("SELECT SUM(balance_fen) FROM accounts").fetchone()[0] or 0
            entries = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        return {"accounts": [{"holder": name, "number": mask_number(number), "kind": kind,
                              "balance_fen": bal, "card_status": status or ""}
                             for name, number, kind, bal, status in rows],
                "entries": entries, "ledger_sum_fen": total}

    # -- ledger --------------------------------------------------------------------------------
    def _next_reference(self, conn: sqlite3.Connection, when: dt.datetime) -> str:
        row = conn.execute("INSERT INTO meta VALUES ('rrn', 1) ON CONFLICT(key) DO UPDATE "
                           "SET value = value + 1 RETURNING value").fetchone()
        return f"{when:%y%j}{row[0] % 10_000_000:07d}"

    def _post(self, conn: sqlite3.Connection, when: dt.datetime, kind: str, text: Bilingual,
              legs: list[tuple], *, terminal_id: str | None = None,
              stan: int | None = None, reverses: int | None = None) -> tuple[int, str]:
        """One balanced entry: legs are (account id, signed fen, counterparty text), and a
        fourth, the leg's own description (Bilingual), where it is not the entry's."""
        if sum(leg[1] for leg in legs) != 0:
            raise ValueError("unbalanced ledger entry")
        reference = self._next_reference(conn, when)
        entry_id = conn.execute(
            "INSERT INTO entries (posted_at, day, kind, description, description_en, reference, "
            "terminal_id, stan, reverses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (when.isoformat(timespec="seconds"), when.date().isoformat(), kind, text.zh, text.en,
             reference, terminal_id, stan, reverses)).lastrowid
        for account_id, amount, counterparty, *own in legs:
            own_zh, own_en = (own[0].zh, own[0].en) if own else (None, None)  # NULL: the entry's
            conn.execute("INSERT INTO postings (entry_id, account_id, amount_fen, counterparty, "
                         "description, description_en) VALUES (?, ?, ?, ?, ?, ?)",
                         (entry_id, account_id, amount, counterparty, own_zh, own_en))
            conn.execute("UPDATE accounts SET balance_fen = balance_fen + ? WHERE account_id = ?",
                         (amount, account_id))
        return entry_id, reference

    # -- cards and PIN ---------------------------------------------------------------------------
    def _card(self, conn: sqlite3.Connection, pan: str) -> sqlite3.Row:
        row = conn.execute("SELECT c.status, c.pin_hash, c.pin_salt, c.pin_tries_left, "
                           "c.customer_id, u.name, u.vip, u.id_number, c.account_id "
                           "FROM cards c JOIN customers u USING (customer_id) WHERE c.pan = ?",
                           (pan,)).fetchone()
        if row is None:
            raise HostDeclined(f"card {mask_number(pan)} is not known to the bank", "card_unknown")
        return row

    def identify_card(self, pan: str, pan_sequence: str | None = None) -> CardIdentity:
        with self._txn() as conn:
            status, _, _, _, customer_id, name, vip, _, _ = self._card(conn, pan)
        return CardIdentity(Customer(customer_id, name, bool(vip)), mask_number(pan), status)

    def verify_pin(self, pan: str, pin_block: bytes, *,
                   terminal_id: str | None = None) -> PinResult:
        """A correct PIN gets an authorisation reference that a transfer from the card
        holder's accounts must carry (within AUTH_REF_TTL; bound to `terminal_id` if given)."""
        now = self._clock()
        auth_ref = ""
        with self._txn(write=True) as conn:
            status, digest, salt, tries, customer_id, *_ = self._card(conn, pan)
            if status != "active":
                raise HostDeclined(f"card {mask_number(pan)} is {status}",
                                   _CARD_STATUS_REASONS.get(status, "card_blocked"))
            if tries <= 0:
                return PinResult(False, 0, locked=True)
            try:
                ok = check_pin_block(pin_block, pan, self._key, PinVerifier(digest, salt))
            except PinBlockError as exc:
                raise HostMalformed(f"PIN block for card {mask_number(pan)} unusable: {exc}") from exc
            tries = self._max_tries if ok else tries - 1
            conn.execute("UPDATE cards SET pin_tries_left = ? WHERE pan = ?", (tries, pan))
            if ok:
                auth_ref = secrets.token_hex(16)
                conn.execute("DELETE FROM pin_sessions WHERE issued_at < ?",
                             ((now - AUTH_REF_TTL).isoformat(),))
                conn.execute("INSERT INTO pin_sessions VALUES (?, ?, ?, ?)",
                             (auth_ref, customer_id, terminal_id, now.isoformat()))
        log.info("PIN check for %s: %s, %d tries left", mask_number(pan),
                 "ok" if ok else "wrong", tries)
        return PinResult(ok, tries, locked=tries <= 0, auth_ref=auth_ref)

    # -- accounts, history --------------------------------------------------------------------
    @staticmethod
    def _account(row: tuple) -> Account:
        account_id, number, kind, balance, credit_limit = row
        return Account(mask_number(number), account_id, kind, "CNY", balance,
                       balance + credit_limit)

    def accounts(self, pan: str) -> list[Account]:
        with self._txn() as conn:
            customer_id = self._card(conn, pan)[4]
            rows = conn.execute("SELECT account_id, number, kind, balance_fen, credit_limit_fen "
                                "FROM accounts WHERE customer_id = ? ORDER BY rowid",
                                (customer_id,)).fetchall()
        return [self._account(r) for r in rows]

    def _lines(self, conn: sqlite3.Connection, account_id: str, date_from: dt.date,
               date_to: dt.date, order: str, limit: int = -1, offset: int = 0) -> list[Transaction]:
        rows = conn.execute(
            "SELECT * FROM (SELECT e.posted_at, e.day, COALESCE(p.description, e.description), "
            "COALESCE(p.description_en, e.description_en), p.amount_fen, "
            "SUM(p.amount_fen) OVER (ORDER BY p.entry_id, p.rowid ROWS UNBOUNDED PRECEDING) "
            "AS running, e.reference, p.counterparty, p.rowid AS seq FROM postings p "
            "JOIN entries e USING (entry_id) WHERE p.account_id = ?) WHERE day BETWEEN ? AND ? "
            f"ORDER BY seq {order} LIMIT ? OFFSET ?",
            (account_id, date_from.isoformat(), date_to.isoformat(), limit, offset)).fetchall()
        return [Transaction(dt.datetime.fromisoformat(at), text, amount, running, ref, cp, text_en)
                for at, _, text, text_en, amount, running, ref, cp, _ in rows]

    def _require_account(self, conn: sqlite3.Connection, account_id: str) -> tuple:
        row = conn.execute("SELECT account_id, number, kind, balance_fen, credit_limit_fen "
                           "FROM accounts WHERE account_id = ? AND customer_id IS NOT NULL",
                           (account_id,)).fetchone()
        if row is None:
            raise HostDeclined(f"account {account_id} is not known", "account_unknown")
        return row

    def transactions(self, account_id: str, date_from: dt.date, date_to: dt.date,
                     page: int = 1, page_size: int = 10) -> TransactionPage:
        with self._txn() as conn:
            self._require_account(conn, account_id)
            total = conn.execute(
                "SELECT COUNT(*) FROM postings p JOIN entries e USING (entry_id) "
                "WHERE p.account_id = ? AND e.day BETWEEN ? AND ?",
                (account_id, date_from.isoformat(), date_to.isoformat())).fetchone()[0]
            items = self._lines(conn, account_id, date_from, date_to, "DESC", page_size,
                                page_start(page, page_size))
        return TransactionPage(items, page, page_size, total)

    def statement(self, account_id: str, date_from: dt.date, date_to: dt.date) -> Statement:
        with self._txn() as conn:
            account = self._account(self._require_account(conn, account_id))
            opening = conn.execute(
                "SELECT COALESCE(SUM(p.amount_fen), 0) FROM postings p JOIN entries e "
                "USING (entry_id) WHERE p.account_id = ? AND e.day < ?",
                (account_id, date_from.isoformat())).fetchone()[0]
            lines = self._lines(conn, account_id, date_from, date_to, "ASC")
        closing = opening + sum(line.amount_fen for line in lines)
        return Statement(account, date_from, date_to, opening, closing, lines)

    # -- payees, limits, fees --------------------------------------------------------------------
    def _payee(self, conn: sqlite3.Connection, number: str) -> tuple:
        row = conn.execute("SELECT account_id, customer_id, kind, holder_name, bank_name, "
                           "bank_name_en FROM accounts WHERE number = ? AND kind != 'internal'",
                           (number,)).fetchone()
        if row is None:
            raise HostDeclined(f"payee account {mask_number(number)} is not known",
                               "payee_unknown")
        return row

    def verify_payee(self, account_number: str, name: str) -> PayeeCheck:
        with self._txn() as conn:
            _, _, kind, holder, bank, bank_en = self._payee(conn, account_number)
        return PayeeCheck(holder == name.strip(), bank, mask_name(holder), kind != "external",
                          bank_en)

    def payees(self, pan: str) -> list[Payee]:
        """Payees of the card holder's approved (and not reversed) transfers, from any of their
        accounts: most recently paid first, each once, never the card's own account."""
        found: dict[str, Payee] = {}
        with self._txn() as conn:
            card = self._card(conn, pan)
            # Newest first along the index, stopping at the tenth payee: a customer with years
            # of transfers costs no more than one with a few.
            rows = conn.execute(
                "SELECT t.payee_account_id, a.bank_name, a.holder_name, a.number, a.bank_name_en "
                "FROM transfer_payees t JOIN requests r ON r.entry_id = t.entry_id "
                "JOIN accounts a ON a.account_id = t.payee_account_id "
                "WHERE t.customer_id = ? AND t.payee_account_id != ? "
                "AND r.outcome = 'approved' ORDER BY t.entry_id DESC", (card[4], card[8]))
            for account_id, bank, holder, number, bank_en in rows:
                if account_id not in found:
                    found[account_id] = Payee.of(bank, holder, number, bank_en)
                    if len(found) == MAX_PAYEES:
                        break
            rows.close()
        return list(found.values())

    def _used_today(self, conn: sqlite3.Connection, account_id: str, day: str) -> int:
        return conn.execute("SELECT COALESCE(SUM(amount_fen), 0) FROM requests WHERE "
                            "from_account_id = ? AND day = ? AND outcome = 'approved'",
                            (account_id, day)).fetchone()[0]

    def limits(self, pan: str) -> Limits:
        day = self._clock().date().isoformat()
        with self._txn() as conn:
            account_id = self._card(conn, pan)[8]
            used = self._used_today(conn, account_id, day)
        return Limits(PER_TRANSACTION_FEN, PER_DAY_FEN, used)

    def fee_schedule(self, to_account_number: str) -> FeeSchedule:
        with self._txn() as conn:
            row = conn.execute("SELECT kind FROM accounts WHERE number = ?",
                               (to_account_number,)).fetchone()
        return INTERBANK_FEES if row is None or row[0] == "external" else FREE

    def fee(self, amount_fen: int, to_account_number: str) -> int:
        return self.fee_schedule(to_account_number).fee(amount_fen)

    # -- transfers ---------------------------------------------------------------------------
    def transfer(self, request: TransferRequest) -> TransferResult:
        now = self._clock()
        with self._txn(write=True) as conn:
            done = self._request(conn, request.terminal_id, request.stan, now)
            if done is not None:
                _, outcome, reason, reference, fee, _ = done
                if outcome == "reversed":
                    return TransferResult(TransferOutcome.DECLINED, reference, 0,
                                          "transfer_reversed", request.stan)
                return TransferResult(TransferOutcome(outcome), reference, fee, reason,
                                      request.stan)
            try:
                kind, fee, legs, payee = self._check_transfer(conn, request,
                                                              now.date().isoformat())
            except HostDeclined as exc:
                self._remember(conn, request, "declined", exc.reason, "", None, 0, now)
                log.info("transfer %s/%06d declined: %s", request.terminal_id, request.stan,
                         exc.reason)
                return TransferResult(TransferOutcome.DECLINED, "", 0, exc.reason, request.stan)
            text = (Bilingual(request.instruction.memo) if request.instruction.memo
                    else _described(data.TRANSFER))
            entry_id, reference = self._post(conn, now, kind.value, text, legs,
                                             terminal_id=request.terminal_id, stan=request.stan)
            self._remember(conn, request, "approved", "", reference, entry_id, fee, now)
            conn.execute("INSERT INTO transfer_payees VALUES (?, ?, ?)", (entry_id, *payee))
        log.info("transfer %s/%06d approved, %d fen, ref %s", request.terminal_id, request.stan,
                 request.instruction.amount_fen, reference)
        return TransferResult(TransferOutcome.APPROVED, reference, fee, "", request.stan)

    def _remember(self, conn, request: TransferRequest, outcome: str, reason: str, reference: str,
                  entry_id: int | None, fee: int, now: dt.datetime) -> None:
        """The answer to (terminal id, STAN), kept for repeats and settlement (under the kind
        the kiosk asked for, so both sides total alike)."""
        conn.execute("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (request.terminal_id, request.stan, request.instruction.kind.value, outcome,
                      reason, reference, entry_id, request.instruction.from_account_id,
                      request.instruction.amount_fen,
                      fee, now.date().isoformat()))

    def _check_transfer(self, conn, request: TransferRequest, day: str):
        ins = request.instruction
        amount = ins.amount_fen
        if amount <= 0:
            raise HostDeclined("amount must be positive", "invalid_amount")
        src_id, src_number, src_kind, balance, _ = self._require_account(conn, ins.from_account_id)
        src_customer = conn.execute("SELECT customer_id FROM accounts WHERE account_id = ?",
                                    (src_id,)).fetchone()[0]
        self._check_authorised(conn, request, src_customer)
        if src_kind == "credit":
            raise HostDeclined("transfers from a credit card account are not allowed",
                               "not_permitted")
        card = conn.execute("SELECT status FROM cards WHERE account_id = ?", (src_id,)).fetchone()
        if card is not None and card[0] != "active":
            raise HostDeclined(f"card status {card[0]}",
                               _CARD_STATUS_REASONS.get(card[0], "card_blocked"))
        dst_id, dst_customer, dst_kind, holder, _, _ = self._payee(conn, ins.to_account_number)
        if holder != ins.to_name.strip():
            raise HostDeclined("payee name does not match the account", "payee_name_mismatch")
        if dst_id == src_id:
            raise HostDeclined("payee is the paying account", "not_permitted")
        if dst_kind == "external":
            kind, credit_to = TransferKind.INTERBANK, data.CLEARING
        elif dst_customer == src_customer:
            kind, credit_to = TransferKind.OWN, dst_id
        else:
            kind, credit_to = TransferKind.INTRABANK, dst_id
        fee = (INTERBANK_FEES if kind is TransferKind.INTERBANK else FREE).fee(amount)
        if amount > PER_TRANSACTION_FEN:
            raise HostDeclined("over the per-transaction limit", "limit_exceeded")
        if self._used_today(conn, src_id, day) + amount > PER_DAY_FEN:
            raise HostDeclined("over the daily limit", "daily_limit_exceeded")
        if balance < amount + fee:
            raise HostDeclined("not enough money", "insufficient_funds")
        to_text = f"{mask_name(holder)} {mask_number(ins.to_account_number)}"
        legs = [(src_id, -amount, to_text), (credit_to, amount, mask_number(src_number))]
        if fee:
            legs += [(src_id, -fee, "", _described(data.FEE)),
                     (data.FEES, fee, mask_number(src_number))]
        return kind, fee, legs, (src_customer, dst_id)

    def _check_authorised(self, conn, request: TransferRequest, customer_id: str) -> None:
        """The same customer's PIN was verified (at this terminal, if the host saw it)."""
        row = conn.execute("SELECT customer_id, terminal_id, issued_at FROM pin_sessions "
                           "WHERE auth_ref = ?", (request.instruction.auth_ref,)).fetchone()
        if (row is None or row[0] != customer_id
                or row[1] not in (None, request.terminal_id)
                or dt.datetime.fromisoformat(row[2]) < self._clock() - AUTH_REF_TTL):
            raise HostDeclined("transfer without a verified PIN for this card",
                               "not_permitted")

    @staticmethod
    def _request(conn: sqlite3.Connection, terminal_id: str, stan: int,
                 now: dt.datetime) -> tuple | None:
        """The answer already given to (terminal id, STAN) in the last IDEMPOTENCY_DAYS days
        (STANs wrap after 999,999, so older answers belong to another transfer)."""
        since = (now.date() - dt.timedelta(days=IDEMPOTENCY_DAYS)).isoformat()
        return conn.execute("SELECT rowid, outcome, reason, reference, fee_fen, entry_id FROM "
                            "requests WHERE terminal_id = ? AND stan = ? AND day >= ? "
                            "ORDER BY rowid DESC LIMIT 1", (terminal_id, stan, since)).fetchone()

    def reverse(self, advice: ReversalAdvice, repeat: bool = False) -> bool:
        now = self._clock()
        with self._txn(write=True) as conn:
            row = self._request(conn, advice.terminal_id, advice.stan, now)
            if row is None:
                # The original never arrived (or has not yet): refuse it if it comes late.
                conn.execute("INSERT INTO requests VALUES (?, ?, 'reversal', 'reversed', '', '', "
                             "NULL, ?, ?, 0, ?)", (advice.terminal_id, advice.stan,
                                                   advice.from_account_id, advice.amount_fen,
                                                   now.date().isoformat()))
                return False
            rowid, outcome, _, _, _, entry_id = row
            if outcome != "approved":
                return False
            legs = [(acc, -amount, cp) for acc, amount, cp in conn.execute(
                "SELECT account_id, amount_fen, counterparty FROM postings WHERE entry_id = ?",
                (entry_id,))]
            self._post(conn, now, "reversal", _described(data.REVERSAL), legs,
                       terminal_id=advice.terminal_id,
                       stan=advice.stan, reverses=entry_id)
            conn.execute("UPDATE requests SET outcome = 'reversed' WHERE rowid = ?", (rowid,))
        log.info("transfer %s/%06d reversed", advice.terminal_id, advice.stan)
        return True

    def settlement(self, terminal_id: str, day: dt.date) -> SettlementTotals:
        with self._txn() as conn:
            rows = conn.execute("SELECT kind, COUNT(*), SUM(amount_fen), SUM(fee_fen) FROM "
                                "requests WHERE terminal_id = ? AND day = ? AND outcome = "
                                "'approved' GROUP BY kind",
                                (terminal_id, day.isoformat())).fetchall()
            stans = conn.execute("SELECT stan, outcome FROM requests WHERE terminal_id = ? AND "
                                 "day = ? AND outcome IN ('approved', 'reversed') ORDER BY stan",
                                 (terminal_id, day.isoformat())).fetchall()
        return SettlementTotals(
            terminal_id, day, {k: KindTotals(n, a, f) for k, n, a, f in rows},
            tuple(s for s, o in stans if o == "approved"),
            tuple(s for s, o in stans if o == "reversed"))

    # -- loss report ---------------------------------------------------------------------------
    def report_lost(self, pan: str, id_number: str) -> LossReport:
        now = self._clock()
        with self._txn(write=True) as conn:
            id_on_file = self._card(conn, pan)[7]
            if id_on_file.upper() != id_number.strip().upper():
                raise HostDeclined(f"ID does not belong to the holder of {mask_number(pan)}",
                                   "id_mismatch")
            existing = conn.execute("SELECT reference, expires_on FROM loss_reports WHERE pan = ?",
                                    (pan,)).fetchone()
            if existing is not None:
                return LossReport(existing[0], True, dt.date.fromisoformat(existing[1]))
            reference = self._next_reference(conn, now)
            expires = now.date() + dt.timedelta(days=LOSS_REPORT_DAYS)
            conn.execute("INSERT INTO loss_reports VALUES (?, ?, ?, ?)",
                         (reference, pan, now.isoformat(timespec="seconds"), expires.isoformat()))
            conn.execute("UPDATE cards SET status = 'lost' WHERE pan = ?", (pan,))
        log.info("card %s reported lost, ref %s", mask_number(pan), reference)
        return LossReport(reference, True, expires)

    # -- checks used by tests, the kill test and `kiosk host show` ------------------------------
    def ledger_problems(self) -> list[str]:
        """Everything that would mean the books are wrong; empty when they balance."""
        problems = []
        with self._txn() as conn:
            total = conn.execute("SELECT COALESCE(SUM(balance_fen), 0) FROM accounts").fetchone()[0]
            if total:
                problems.append(f"balances sum to {total} fen, not 0")
            for entry_id, s in conn.execute("SELECT entry_id, SUM(amount_fen) FROM postings "
                                            "GROUP BY entry_id HAVING SUM(amount_fen) != 0"):
                problems.append(f"entry {entry_id} is unbalanced by {s} fen")
            for account_id, bal, posted in conn.execute(
                    "SELECT a.account_id, a.balance_fen, COALESCE(SUM(p.amount_fen), 0) FROM "
                    "accounts a LEFT JOIN postings p USING (account_id) GROUP BY a.account_id "
                    "HAVING a.balance_fen != COALESCE(SUM(p.amount_fen), 0)"):
                problems.append(f"account {account_id} balance {bal} != postings {posted}")
            for stan, n in conn.execute("SELECT stan, COUNT(*) FROM entries WHERE kind IN "
                                        "('own', 'intrabank', 'interbank') GROUP BY terminal_id, "
                                        "stan, day HAVING COUNT(*) > 1"):
                problems.append(f"STAN {stan} posted {n} times")
        return problems

    def account_ids(self) -> dict[str, str]:
        """Account number -> the bank's (random) account id, for customers' accounts."""
        with self._txn() as conn:
            return dict(conn.execute("SELECT number, account_id FROM accounts "
                                     "WHERE customer_id IS NOT NULL").fetchall())

    def request_outcomes(self, terminal_id: str) -> dict[int, str]:
        with self._txn() as conn:
            return dict(conn.execute("SELECT stan, outcome FROM requests WHERE terminal_id = ?",
                                     (terminal_id,)).fetchall())
