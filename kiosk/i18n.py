"""Translations of everything the customer reads: gettext catalogs for zh_CN (default) and en.

The catalogs are the .po files under kiosk/locale/<lang>/LC_MESSAGES/kiosk.po, read, updated and
compiled with Babel. They are compiled to the .mo format in memory when first used, so a fresh
checkout or an installed wheel needs no build step and no msgfmt.
Nothing here keeps a "current language": the caller (the session, the UI) passes it in.

`python -m kiosk.i18n` refreshes the catalogs after strings were added: Babel extracts the
marked strings (with `# TRANSLATORS:` comments, contexts and plurals) from the skin's .py and
.kv files and the emulators' panel labels, adds the session's message ids, and updates both
catalogs keeping every translation.
"""
from __future__ import annotations

import functools
import gettext
import io
import logging
from pathlib import Path
from typing import IO, Any, Collection, Iterator, Mapping

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .resources import LOCALE_DIR, shipped

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_po(path: Path, language: str) -> Catalog:
    """The Babel catalog of one .po file."""
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def catalog(language: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """msgid -> text of the translated entries of one language (empty and fuzzy entries left out)."""
    return {m.id: m.string for m in load_po(po_path(language, locale_dir), language)
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def compile_translations(entries: Catalog) -> gettext.GNUTranslations:
    """gettext translations of a catalog, compiled to .mo bytes in memory."""
    mo = io.BytesIO()
    write_mo(mo, entries)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@functools.lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    """gettext translations for `language`; an unknown or missing catalog falls back to msgids."""
    path = po_path(language)
    if language not in LANGUAGES or not path.is_file():
        log.error("no catalog for language %r at %s: showing message ids", language, path)
        return gettext.NullTranslations()
    return compile_translations(load_po(path, language))


def translate(language: str, msgid: str) -> str:
    """The text of `msgid`; a message id missing from a catalog shows its English default
    rather than the bare id (the catalog tests catch the gap)."""
    if not msgid:
        return ""
    text = translations(language).gettext(msgid)
    if text == msgid:
        from .session.messages import DEFAULT_TEXT
        return DEFAULT_TEXT.get(msgid, msgid)
    return text


def next_language(language: str) -> str:
    """The language a one-button switch goes to from `language`."""
    index = LANGUAGES.index(language) if language in LANGUAGES else -1
    return LANGUAGES[(index + 1) % len(LANGUAGES)]


def N_(msgid: str) -> str:
    """Mark a msgid for the catalogs where it is translated later (tables of labels)."""
    return msgid


# -- extraction ---------------------------------------------------------------------------
# _("text", ...), self.tr("text"), N_("text") in the skin, with contexts and plurals
UI_KEYWORDS: dict[str, Any] = {"_": None, "tr": None, "N_": None,
                               "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# EmulatorAction("paper_out", "panel.printer.paper_out"): the panel label is the second argument
EMULATOR_KEYWORDS: dict[str, Any] = {"EmulatorAction": (2,)}
COMMENT_TAGS = ("TRANSLATORS:",)


def extract_kv(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
               options: Mapping[str, Any]) -> Iterator[tuple]:
    """Babel extraction method for Kivy .kv files: a .kv value is a Python expression, so the
    lines are handed to Babel's Python extractor without their indentation (line numbers kept)."""
    text = b"".join(line.lstrip(b" \t") for line in fileobj.readlines())
    yield from extract_python(io.BytesIO(text), keywords, comment_tags, options)


def extract_messages(paths: list[Path], keywords: Mapping[str, Any] = UI_KEYWORDS
                     ) -> Iterator[tuple[Path, int, str | tuple, list[str], str | None]]:
    """(path, line, message, translator comments, context) of every marked string in these files."""
    for path in paths:
        method = extract_kv if path.suffix == ".kv" else "python"
        with path.open("rb") as file:
            for lineno, message, comments, context in extract(
                    method, file, keywords, COMMENT_TAGS, strip_comment_tags=True):
                yield path, lineno, message, comments, context


def extract_msgids(paths: list[Path]) -> set[str]:
    """Every literal singular msgid marked in these .py / .kv files."""
    return {m for _, _, m, _, c in extract_messages(paths) if isinstance(m, str) and c is None}


def ui_sources() -> list[Path]:
    """The skin's files whose marked strings the catalogs must cover."""
    screens = shipped("screens")
    return sorted(p for p in screens.rglob("*") if p.suffix in (".py", ".kv"))


def source_template() -> Catalog:
    """The catalog template of everything shown: the skin's strings, the emulators' panel
    labels, the session's message ids (with host decline reasons) and the staff texts of the
    alerts no device status gives, each message's English text kept as its msgstr."""
    from .session.messages import DEFAULT_TEXT
    template = Catalog(domain=DOMAIN, fuzzy=False)
    drivers = sorted(shipped("drivers").rglob("*.py"))
    found = [*extract_messages(ui_sources()), *extract_messages(drivers, EMULATOR_KEYWORDS)]
    for _, _, message, comments, context in found:
        existing = template.get(message if isinstance(message, str) else message[0], context)
        if existing is not None:
            existing.auto_comments = sorted({*existing.auto_comments, *comments})
            continue
        template.add(message, message, auto_comments=comments, context=context)
    from .alerts.staff_text import staff_messages
    for msgid, english in {**staff_messages(), **DEFAULT_TEXT}.items():
        if template.get(msgid) is None:
            template.add(msgid, english)
        else:
            template.get(msgid).string = english
    return template


def source_messages() -> dict[str, str]:
    """msgid -> English text of every singular, context-free message shown."""
    return {m.id: m.string for m in source_template()
            if m.id and isinstance(m.id, str) and m.context is None}


# -- catalog maintenance ------------------------------------------------------------------
# A fixed header: no dates or tool versions, so two people refreshing never conflict on it.
HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: lobby-kiosk\\n"\n"Language: {language}\\n"\n'
          '"MIME-Version: 1.0\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Content-Transfer-Encoding: 8bit\\n"\n\n')


def save_catalog(path: Path, language: str, entries: Catalog) -> None:
    """Write a .po file: sorted by msgid, no source locations and no line wrapping, so adding a
    string changes only its own lines."""
    body = io.BytesIO()
    write_po(body, entries, width=0, no_location=True, omit_header=True, sort_output=True,
             ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(HEADER.format(language=language).encode("utf-8") + body.getvalue())


def update_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, list[str]]:
    """Bring both .po files up to date with the sources, keeping every translation made.

    English gets the default text for new ids; other languages get an empty msgstr to fill
    in. Returns, per language, the msgids still without a translation.
    """
    template = source_template()
    english = {(m.id if isinstance(m.id, str) else m.id[0], m.context): m.string
               for m in template if m.id}
    blank = Catalog(domain=DOMAIN, fuzzy=False)
    for message in template:
        if message.id:
            blank.add(message.id, "" if isinstance(message.id, str) else ("",) * len(message.id),
                      auto_comments=message.auto_comments, context=message.context)
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        path = po_path(language, locale_dir)
        entries = load_po(path, language) if path.is_file() else Catalog(locale=language)
        entries.update(blank, no_fuzzy_matching=True, update_creation_date=False)
        for message in entries:
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            if message.id and language == "en" and not message.string and key in english:
                message.string = english[key]
        save_catalog(path, language, entries)
        missing[language] = sorted(str(m.id) for m in entries if m.id and not m.string)
    return missing


if __name__ == "__main__":  # python -m kiosk.i18n: refresh the catalogs after adding strings
    import sys
    for lang, ids in update_catalogs().items():
        sys.stdout.write(f"{lang}: {len(ids)} untranslated {ids[:20]}\n")
