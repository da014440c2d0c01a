"""What staff read for the alerts no device status gives, in the catalogs' languages.

The alert itself keeps its English `message` with the facts (counts, seconds, the row); the
console shows the translated text of its `code` (by the code's last two parts, `code.<a>.<b>`)
and the translated name of its `device` (`dev.<name>`). Both come from kiosk/locale via
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

# the console's language codes -> the catalogs'
_CONSOLE_LANGUAGES = {"zh": "zh_CN", "en": "en"}


def staff_words(console_language: str) -> dict[str, str]:
    """The console's `code.*` and `dev.*` words for these alerts in one console language."""
    language = _CONSOLE_LANGUAGES[console_language]
    words = {f"code.{code}": translate(language, text) for code, text in STAFF_TEXT.items()}
    words.update((f"dev.{name}", translate(language, text))
                 for name, text in STAFF_DEVICES.items())
    return words


def staff_messages() -> dict[str, str]:
    """msgid -> English text, for the catalogs."""
    return {text: text for text in (*STAFF_TEXT.values(), *STAFF_DEVICES.values())}
