"""Translation for .kv files: `_('Insert your card', app.language)`.

Passing the language into the call makes the kv rule depend on it, so every visible string
changes the moment the customer switches language, with no registry of widgets to refresh.
"""
from __future__ import annotations

from kiosk.i18n import translate


def _(msgid: str, language: str, **values: object) -> str:
    text = translate(language, msgid)
    return text.format(**values) if values else text


def msgid_for(prefix: str, key: str) -> str:
    """The message id `prefix` + `key` (`service_` + `ticket`) of a kind named at run time;
    built in a call of its own so the catalog extraction never takes the bare prefix for a msgid."""
    return prefix + key
