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
    # in the branch's language, zh_CN by default, from the catalogs
    assert wecom["text"]["content"].splitlines()[:2] == ["【故障】网点 B1 自助机 KSK-T4",
                                                         "凭条打印机：缺纸，请装入新纸卷"]
    assert "paper is out" not in wecom["text"]["content"]
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


def test_group_messages_follow_the_configured_language_per_branch(tmp_path, webhook_sink):
    """[notify] language is every branch's, branch_languages overrides it for one branch; the
    text comes from the same catalogs in either language (an alert without a table entry keeps
    its facts in a details line)."""
    from kiosk.config import load_config
    sink = webhook_sink()
    (tmp_path / "kiosk.toml").write_text(
        f'[notify]\nenabled = true\nwecom_webhook = "{sink.url}/send?key=k"\n'
        'language = "zh_CN"\nbranch_languages = {B7 = "en"}\nmin_severity = "warning"\n',
        encoding="utf-8")
    section = load_config(tmp_path / "kiosk.toml").notify
    texts = {}
    for branch in ("B1", "B7"):
        center = AlertCenter(AlertOutbox(tmp_path / f"{branch}.db"), kiosk_id="KSK-L",
                             branch=branch)
        notifier = StaffNotifier.from_config(section)
        notifier.retry_delay_s = 0.01
        notifier.attach(center)
        try:
            center.on_status(StatusChanged("idcard", "idcard", "device", "online", "noDevice"))
            center.raise_help("")
            assert notifier.wait_idle(5)
        finally:
            notifier.stop()
            center.close()
        texts[branch] = [body["text"]["content"] for _, _, body in sink.posts[-2:]]
    reader, helped = texts["B7"]
    assert reader.splitlines()[:2] == ["[Fault] Branch B7, kiosk KSK-L",
                                       "ID card reader: is not there: check its cable and power"]
    assert helped.splitlines()[:2] == ["[Warning] Branch B7, kiosk KSK-L",
                                       "Customer asks for help"]
    reader, helped = texts["B1"]
    assert reader.splitlines()[:2] == ["【故障】网点 B1 自助机 KSK-L",
                                       "身份证阅读器：未连接，请检查线缆和电源"]
    assert helped.splitlines()[1:3] == ["客户请求协助", "详情：customer asks for help at KSK-L"]
