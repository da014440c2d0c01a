"""The one table of device conditions: every message it names is in the catalogs, every printer
fault reads as a row of it, and a fault a driver reports on two fields is one condition."""
from __future__ import annotations

import pytest

from drivers.base import StatusChanged
from drivers.printer.base import FAULT_STATUS, FAULTS
from drivers.registry import DEVICE_NAMES
from kiosk import device_conditions as dc
from kiosk import i18n


def change(device, field, old, new, kind=None):
    return StatusChanged(device, kind or device, field, old, new)


def test_every_customer_message_of_the_table_is_in_both_catalogs():
    used = {row.customer_message(kind) for row in dc.ROWS for kind in DEVICE_NAMES}
    used |= {dc.print_fault_message(fault) for fault in (*FAULTS, "noDevice", "restarted")}
    for language in i18n.LANGUAGES:
        missing = sorted(used - set(i18n.catalog(language)))
        assert not missing, f"{language} catalog lacks {missing}"


def test_every_printer_fault_shows_as_a_status_and_reads_from_the_table():
    assert set(FAULT_STATUS) == set(FAULTS)
    assert dc.print_fault_message("paperOut") == "printer_out_of_paper"
    assert dc.print_fault_message("coverOpen") == "print_failed"
    assert dc.print_fault_message("noDevice") == dc.print_fault_message("offline") \
        == "printer_unavailable"
    assert dc.print_fault_message("restarted") == "print_failed"


@pytest.mark.parametrize("status, serving", [
    ({"device": "online", "paper": "low"}, True),
    ({"device": "userError", "paper": "out"}, False),
    ({"device": "online", "cover": "open"}, False),
    ({"device": "starting"}, True),
    ({"device": "online", "service": "outOfService"}, False),
    ({}, False),
])
def test_serves_reads_the_table(status, serving):
    assert dc.serves("printer", status) is serving


def test_a_fault_on_two_fields_is_one_condition_whichever_comes_first():
    tracker = dc.ConditionTracker()
    actions = lambda event: [o.action for o in tracker.note(event)]  # noqa: E731
    assert actions(change("camera", "device", "online", "noDevice")) == ["raised"]
    assert actions(change("camera", "camera", "ok", "inoperative")) == ["covered"]
    assert actions(change("camera", "device", "noDevice", "online")) == ["resolved"]
    assert actions(change("camera", "camera", "inoperative", "ok")) == ["covered"]

    assert actions(change("printer", "paper", "full", "out")) == ["raised"]
    assert actions(change("printer", "device", "online", "userError")) == ["covered"]
    # a second, unrelated fault of the same device is its own condition
    assert actions(change("printer", "device", "userError", "noDevice")) == ["raised"]
    # back with the paper still out: the unplug ends, the user error is covered again
    assert actions(change("printer", "device", "noDevice", "userError")) == ["resolved", "covered"]
    assert actions(change("printer", "paper", "out", "full")) == ["resolved"]
    assert actions(change("printer", "device", "userError", "online")) == ["covered"]
    assert tracker.open_conditions() == []
