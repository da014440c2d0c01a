"""What staff read for the alerts no device status gives, and the results of self-tests and
remote actions, in the catalogs' languages.

The alert itself keeps its English `message` with the facts (counts, seconds, the row); the
console shows the translated text of its `code` (by the code's last two parts, `code.<a>.<b>`)
and the translated name of its `device` (`dev.<name>`). A self-test's or remote action's
result names its text (`text_id`, a key of RESULT_TEXT) and carries its facts beside it; the
console fills the translated text (`st.<text_id>`) with them, the English line (`result_line`)
goes to the log, the journal and the technician's panel. All come from kiosk/locale via
`python -m kiosk.i18n`, which collects the texts below.
"""
from __future__ import annotations

from ..i18n import N_, translate

# alert code -> staff text (English msgid)
STAFF_TEXT = {
    "host.link_down": N_("Bank host unreachable: card services and transfers fail"),
    "host.clock_skew": N_("Kiosk clock differs from the bank host's: check time sync (NTP)"),
    "reversal.backlog": N_("Reversals waiting for the bank host: call the bank's operations desk"),
    "disk.nearly_full": N_("Data disk nearly full: call maintenance"),
    "journal.chain_broken": N_("Electronic journal altered or damaged: call security"),
    "device.flapping": N_("Device keeps changing state: check its cable and power"),
}

# device names of those alerts that are no device of the kiosk
STAFF_DEVICES = {
    "host": N_("Bank host"),
    "journal": N_("Electronic journal"),
}

# result text id -> text with {facts} (English msgid); a translation keeps every {fact}
RESULT_TEXT = {
    "selftest.not_configured": N_("{device} is not configured or not opened yet"),
    "selftest.no_test": N_("no self-test for {kind} devices"),
    "selftest.not_online": N_("not online: {status}"),
    "selftest.device_error": N_("device error: {error}"),
    "selftest.printed.full": N_("test page printed ({pages} page(s)); paper full"),
    "selftest.printed.low": N_("test page printed ({pages} page(s)); paper low"),
    "selftest.printed.out": N_("test page printed ({pages} page(s)); paper out"),
    "selftest.printed": N_("test page printed ({pages} page(s)); paper {paper}"),
    "selftest.pse_found": N_("ATR {atr}; SELECT PSE answered SW {sw} (PSE found)"),
    "selftest.no_pse": N_("ATR {atr}; SELECT PSE answered SW {sw} (no PSE on this card)"),
    "selftest.idcard": N_("SAM {sam_id}; read card {id_masked}"),
    "selftest.no_scan": N_("no scan within {timeout} s"),
    "selftest.scanned": N_("{symbology}: {code}"),
    "selftest.no_picture": N_("no picture for {seconds} s (camera {camera})"),
    "selftest.no_code": N_("{fps} fps, but no code decoded within {timeout} s: hold a QR code "
                           "in front of the camera"),
    "selftest.camera": N_("{fps} fps; {symbology}: {code}; decoding takes {decode_ms} ms"),
    "remote.no_desk": N_("technician functions are not available on this kiosk"),
    "remote.technician": N_("a technician is working on the kiosk"),
    "remote.customer": N_("a customer is using the kiosk"),
    "remote.no_device": N_("no device {device} on this kiosk"),
    "remote.bundle": N_("{file} · {bytes} bytes · sha256 {digest}…"),
    "remote.error": N_("failed: {error}"),
}
FACT_MAX = 120   # characters of one fact (a result travels as a small MQTT message)


def result_facts(text_id: str, /, **facts: object) -> tuple[str, dict[str, object]]:
    """(the English line, {"text_id": text_id, **facts}) of one result; a text fact is cut to
    FACT_MAX characters."""
    short = {k: v[:FACT_MAX] if isinstance(v, str) else v for k, v in facts.items()}
    return RESULT_TEXT[text_id].format(**short), {"text_id": text_id, **short}

SELF_TEST_PASSED = N_("{device}: passed — {text}")
SELF_TEST_FAILED = N_("{device}: FAILED — {text}")


def result_text(language: str, said: dict[str, object], fallback: str) -> str:
    """A result's text in `language`: its text (RESULT_TEXT[said["text_id"]], translated)
    filled with the facts beside it; `fallback` (the kiosk's English line) when the text or one
    of its facts is unknown."""
    text = RESULT_TEXT.get(str(said.get("text_id", "")))
    if text is None:
        return fallback
    try:
        return translate(language, text).format(**{k: v for k, v in said.items()
                                                    if k != "text_id"})
    except (KeyError, IndexError, ValueError):
        return fallback


def self_test_line(language: str, device: str, ok: bool, said: dict[str, object],
                   summary: str) -> str:
    """One self-test's line on the technician's panel, in `language`."""
    name = translate(language, DEVICE_NAMES[device]) if device in DEVICE_NAMES else device
    return translate(language, SELF_TEST_PASSED if ok else SELF_TEST_FAILED).format(
        device=name, text=result_text(language, said, summary))


# the kiosk's devices by name, the severities and the other alerts, for group notifications
DEVICE_NAMES = {
    "printer": N_("Receipt printer"), "chipcard": N_("Card reader"),
    "idcard": N_("ID card reader"), "camera": N_("Camera"), "scanner": N_("Scanner"),
    "kiosk": N_("Kiosk"), "technician": N_("Technician mode"),
}
SEVERITY_NAMES = {"critical": N_("Critical"), "fault": N_("Fault"), "warning": N_("Warning"),
                  "info": N_("Info")}
OTHER_TEXT = {
    "help.requested": N_("Customer asks for help"),
    "transfer.held": N_("Large transfer waits for staff approval"),
    "technician.at_work": N_("Technician at work: out of service for customers"),
}
NOTICE = N_("[{severity}] Branch {branch}, kiosk {kiosk}")
ESCALATED = N_("[Escalated: nobody acknowledged]")
DETAIL = N_("Details: {message}")
CODE_TIME = N_("Code {code}  time {time}")
DIGEST = N_("[Summary] {count} more alerts ({severities}); see the staff console:")
DIGEST_BRANCH = N_("Branch {branch}: {count}, kiosks {kiosks}")
LIST_JOIN = N_(", ")
ON_DEVICE = N_(": ")   # between a device's name and what it reports

# the console's language codes -> the catalogs'
CONSOLE_LANGUAGES = {"zh": "zh_CN", "en": "en"}


def staff_words(console_language: str) -> dict[str, str]:
    """The console's `code.*` and `dev.*` words for these alerts in one console language."""
    language = CONSOLE_LANGUAGES[console_language]
    words = {f"code.{code}": translate(language, text) for code, text in STAFF_TEXT.items()}
    words.update((f"dev.{name}", translate(language, text))
                 for name, text in STAFF_DEVICES.items())
    return words


def staff_messages() -> dict[str, str]:
    """msgid -> English text, for the catalogs (with every device condition's staff text)."""
    from ..device_conditions import ROWS
    texts = (*STAFF_TEXT.values(), *STAFF_DEVICES.values(), *DEVICE_NAMES.values(),
             *SEVERITY_NAMES.values(), *OTHER_TEXT.values(), *(row.advice for row in ROWS),
             *RESULT_TEXT.values(), SELF_TEST_PASSED, SELF_TEST_FAILED,
             NOTICE, ESCALATED, DETAIL, CODE_TIME, DIGEST, DIGEST_BRANCH, LIST_JOIN, ON_DEVICE)
    return {text: text for text in texts}


def what_happened(language: str, code: str, device: str, message: str) -> tuple[str, bool]:
    """The staff text of an alert in `language`, and whether it already says everything (a
    device condition does; other alerts carry facts in their English `message`)."""
    from ..device_conditions import condition
    name = translate(language, DEVICE_NAMES.get(device) or STAFF_DEVICES.get(device, device)) \
        if device else ""
    parts = code.split(".")
    row = condition(parts[0], parts[1], parts[2]) if len(parts) == 3 else None
    colon = translate(language, ON_DEVICE)
    if row is not None:
        return name + colon + translate(language, row.advice), True
    text = STAFF_TEXT.get(code) or OTHER_TEXT.get(code)
    if text is None:
        return message, True
    text = translate(language, text)
    return (name + colon + text if name and device not in STAFF_DEVICES else text), False


def notification(language: str, *, severity: str, branch: str, kiosk: str, code: str,
                 device: str, message: str, stamp: str, escalated: bool = False) -> str:
    """One group notification (WeCom, DingTalk) in the branch's language."""
    head = translate(language, NOTICE).format(
        severity=translate(language, SEVERITY_NAMES.get(severity, severity)), branch=branch,
        kiosk=kiosk)
    if escalated:
        head = translate(language, ESCALATED) + head
    text, whole = what_happened(language, code, device, message)
    lines = [head, text]
    if not whole:
        lines.append(translate(language, DETAIL).format(message=message))
    lines.append(translate(language, CODE_TIME).format(code=code, time=stamp))
    return "\n".join(lines)


def digest(language: str, severities: list[tuple[str, int]],
           branches: list[tuple[str, int, list[str]]], count: int) -> list[str]:
    """The lines of a digest of `count` more alerts: by severity, then per branch."""
    join = translate(language, LIST_JOIN)
    head = join.join(f"{translate(language, SEVERITY_NAMES.get(s, s))} {n}"
                     for s, n in severities)
    lines = [translate(language, DIGEST).format(count=count, severities=head)]
    lines += [translate(language, DIGEST_BRANCH).format(branch=b, count=n, kiosks=join.join(k))
              for b, n, k in branches]
    return lines
