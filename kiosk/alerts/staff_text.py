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


# the console's language codes -> the catalogs'
_CONSOLE_LANGUAGES = {"zh": "zh_CN", "en": "en"}


def staff_words(console_language: str) -> dict[str, str]:
    """The console's `code.*` and `dev.*` words for these alerts in one console language."""
    language = _CONSOLE_LANGUAGES[console_language]
    words = {f"code.{code}": translate(language, text) for code, text in STAFF_TEXT.items()}
    words.update((f"dev.{name}", translate(language, text))
                 for name, text in STAFF_DEVICES.items())
    words.update((f"st.{key}", translate(language, text)) for key, text in RESULT_TEXT.items())
    return words


def staff_messages() -> dict[str, str]:
    """msgid -> English text, for the catalogs."""
    return {text: text for text in (*STAFF_TEXT.values(), *STAFF_DEVICES.values(),
                                    *RESULT_TEXT.values())}
