"""WeCom and DingTalk messages against a local HTTP sink; the test checks the DingTalk sign."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter, Severity
from kiosk.alerts.notify import DingTalkBot, StaffNotifier, WeComBot
from kiosk.alerts.outbox import AlertOutbox

SECRET = "SEC0123456789abcdef-test-only"
PAN = "6222021234567890128"


@pytest.fixture
def setup(tmp_path, webhook_sink):
    sink = webhook_sink(fail_first=1)
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T4", branch="B1")
    notifier = StaffNotifier([WeComBot(sink.url + "/cgi-bin/webhook/send?key=test-key"),
                              DingTalkBot(sink.url + "/robot/send?access_token=tok", SECRET)],
                             min_severity=Severity.FAULT, timeout_s=2, retries=3,
                             retry_delay_s=0.01)
    notifier.attach(center)
    yield sink, center, notifier
    notifier.stop()
    center.close()


def test_faults_reach_wecom_and_signed_dingtalk_warnings_do_not(setup):
    sink, center, notifier = setup
    center.on_status(StatusChanged("printer", "printer", "paper", "full", "low"))  # warning
    center.raise_held_transfer("T9", 100_000, reason=f"card {PAN}")                # warning
    center.on_status(StatusChanged("printer", "printer", "paper", "low", "out"))   # fault
    assert notifier.wait_idle(5)
    paths = [p for p, _, _ in sink.posts]
    # the first post was refused (errcode) and retried; warnings were never sent
    assert paths == ["/cgi-bin/webhook/send", "/cgi-bin/webhook/send", "/robot/send"]
    assert (notifier.sent, notifier.failed) == (2, 0)
    _, wecom_query, wecom = sink.posts[1]
    assert wecom_query == {"key": "test-key"} and wecom["msgtype"] == "text"
    assert "paper is out" in wecom["text"]["content"] and "KSK-T4" in wecom["text"]["content"]
    _, query, ding = sink.posts[2]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{query['timestamp']}\n{SECRET}"
                                         .encode(), hashlib.sha256).digest()).decode()
    assert query["access_token"] == "tok" and query["sign"] == expected
    assert ding["text"]["content"] == wecom["text"]["content"]
    assert all(PAN not in json.dumps(b, ensure_ascii=False) for _, _, b in sink.posts)


def test_an_unreachable_webhook_is_given_up_without_blocking(tmp_path):
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T4", branch="B1")
    notifier = StaffNotifier([WeComBot("http://127.0.0.1:9/cgi-bin/webhook/send?key=k")],
                             timeout_s=0.5, retries=2, retry_delay_s=0.01)
    notifier.attach(center)
    try:
        center.on_status(StatusChanged("idcard", "idcard", "device", "online", "noDevice"))
        assert len(center.active()) == 1  # raising never waited for the webhook
        assert notifier.wait_idle(5)
        assert (notifier.sent, notifier.failed) == (0, 1)
    finally:
        notifier.stop()
        center.close()
