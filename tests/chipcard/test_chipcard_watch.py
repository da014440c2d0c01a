"""Reader unplug/replug, which vpcd cannot do (its readers are fixed while pcscd runs).

The PC/SC service is the OS edge here: a small fake of the five SCard calls the watcher makes,
with a USB reader that can be pulled out and plugged back. pcscd restarts are tested for real in
test_chipcard_pcsc.py.
"""
from __future__ import annotations

import threading

import pytest
from smartcard import scard

from drivers.chipcard.reader_watch import PNP_READER, ReaderWatcher, match_reader

READER = "ACS ACR39U ICC Reader 00 00"
ATR = bytes.fromhex("3B8801554E494F4E50415992")


class FakePcsc:
    """pcsc-lite as the watcher sees it: readers come and go, GetStatusChange blocks."""

    def __init__(self) -> None:
        self.readers: list[str] = ["Virtual PCD 00 00"]
        self.card: bytes | None = None
        self.card_events = 0
        self.changed = threading.Condition()
        self.cancelled = False

    def plug(self, present: bool) -> None:
        with self.changed:
            if present and READER not in self.readers:
                self.readers.append(READER)
            elif not present and READER in self.readers:
                self.readers.remove(READER)
            self.changed.notify_all()

    def insert(self, atr: bytes | None) -> None:
        with self.changed:
            self.card = atr
            self.card_events += 1
            self.changed.notify_all()

    # -- the SCard calls ----------------------------------------------------------------------
    def SCardEstablishContext(self, scope):
        return scard.SCARD_S_SUCCESS, 1

    def SCardReleaseContext(self, context):
        return scard.SCARD_S_SUCCESS

    def SCardCancel(self, context):
        with self.changed:
            self.cancelled = True
            self.changed.notify_all()
        return scard.SCARD_S_SUCCESS

    def SCardListReaders(self, context, groups):
        with self.changed:
            return scard.SCARD_S_SUCCESS, list(self.readers)

    def _state(self, name):
        if name == PNP_READER:
            return len(self.readers) << 16, []
        if name not in self.readers:
            return scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_CHANGED, []
        if self.card is None:
            return scard.SCARD_STATE_EMPTY | (self.card_events << 16), []
        return scard.SCARD_STATE_PRESENT | (self.card_events << 16), list(self.card)

    def SCardGetStatusChange(self, context, timeout_ms, states):
        def snapshot():
            return [(name, *self._state(name)) for name, _ in states]

        def differs(now):
            mask = ~scard.SCARD_STATE_CHANGED
            return any((event & mask) != (current & mask)
                       for (_, event, _), (_, current) in zip(now, states))

        with self.changed:
            now = snapshot()
            if not differs(now):
                self.changed.wait(timeout_ms / 1000)
                if self.cancelled:
                    self.cancelled = False
                    return scard.SCARD_E_CANCELLED, states
                now = snapshot()
                if not differs(now):
                    return scard.SCARD_E_TIMEOUT, states
            return scard.SCARD_S_SUCCESS, now


@pytest.fixture
def watched():
    pcsc = FakePcsc()
    reports: dict[str, list] = {"reader": [], "card": []}
    seen = threading.Condition()

    def on_reader(name):
        with seen:
            reports["reader"].append(name)
            seen.notify_all()

    def on_card(atr):
        with seen:
            reports["card"].append(atr)
            seen.notify_all()

    def wait(kind, value, timeout=2.0):
        with seen:
            assert seen.wait_for(lambda: reports[kind] and reports[kind][-1] == value, timeout), \
                f"{kind} never became {value!r}: {reports[kind][-5:]}"

    watcher = ReaderWatcher("*ACR39U*", on_reader=on_reader, on_card=on_card,
                            label="test-chipcard", api=pcsc)
    watcher.start()
    watcher.reports = reports  # type: ignore[attr-defined]
    yield pcsc, watcher, wait
    watcher.stop()
    assert not watcher.alive


def test_reader_unplug_and_replug_with_the_card_in(watched):
    pcsc, watcher, wait = watched
    assert watcher.first_pass.wait(1)
    wait("reader", None)                       # no matching reader yet
    pcsc.plug(True)
    wait("reader", READER)
    pcsc.insert(ATR)
    wait("card", ATR)
    pcsc.plug(False)                           # pulled out with the card in it
    wait("reader", None)
    wait("card", None)
    pcsc.plug(True)
    wait("reader", READER)
    wait("card", ATR)
    assert watcher.alive


def test_card_swapped_between_two_waits_is_seen_as_remove_then_insert(watched):
    pcsc, watcher, wait = watched
    pcsc.plug(True)
    pcsc.insert(ATR)
    wait("card", ATR)
    other = bytes.fromhex("3B021450")
    with pcsc.changed:            # two events before the watcher looks again
        pcsc.card, pcsc.card_events = other, pcsc.card_events + 2
        pcsc.changed.notify_all()
    wait("card", other)
    cards = watcher.reports["card"]
    last_atr = len(cards) - 1 - cards[::-1].index(ATR)
    assert None in cards[last_atr:] and cards[-1] == other


def test_exact_name_wins_over_pattern():
    readers = ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    assert match_reader("Virtual PCD 00 01", readers) == "Virtual PCD 00 01"
    assert match_reader("Virtual PCD *", readers) == "Virtual PCD 00 00"
    assert match_reader("*ACR39U*", readers) is None
