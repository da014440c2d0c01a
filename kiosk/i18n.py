"""Translations of everything the customer reads: gettext catalogs for zh_CN (default) and en.

The catalogs are the .po files under kiosk/locale/<lang>/LC_MESSAGES/kiosk.po. They are compiled to the
.mo format in memory when first used, so a fresh checkout needs no build step and no msgfmt.
Nothing here keeps a "current language": the caller (the session, the UI) passes it in.
"""
from __future__ import annotations

import ast
import functools
import gettext
import io
import logging
import re
import struct
from pathlib import Path

from .resources import LOCALE_DIR, shipped

log = logging.getLogger(__name__)

DOMAIN = "kiosk"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (header entry under ""; fuzzy entries skipped)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    target: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None and not fuzzy:
            entries["".join(msgid)] = "".join(msgstr)
        msgid = msgstr = None
        fuzzy = False

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            target = None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt") or line.startswith("msgid_plural"):
            raise ValueError(f"line {number}: msgctxt and plurals are not used in this catalog")
        elif line.startswith("msgid "):
            if msgstr is not None:
                keep_fuzzy = fuzzy
                flush()
                fuzzy = keep_fuzzy
            msgid = [ast.literal_eval(line[6:].strip())]
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:].strip())]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        else:
            raise ValueError(f"line {number}: cannot read {raw!r}")
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU .mo bytes for a catalog (the format msgfmt writes, without a hash table)."""
    items = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in entries.items())
    count = len(items)
    ids_offset = 7 * 4
    strs_offset = ids_offset + count * 8
    data_offset = strs_offset + count * 8
    id_table, str_table, blob = [], [], bytearray()
    for key, _ in items:
        id_table.append((len(key), data_offset + len(blob)))
        blob += key + b"\0"
    for _, value in items:
        str_table.append((len(value), data_offset + len(blob)))
        blob += value + b"\0"
    out = bytearray(struct.pack("<7I", 0x950412DE, 0, count, ids_offset, strs_offset, 0, 0))
    for length, offset in id_table + str_table:
        out += struct.pack("<2I", length, offset)
    return bytes(out + blob)


def catalog(language: str, locale_dir: Path = LOCALE_DIR) -> dict[str, str]:
    """The translated entries of one language (empty msgstr entries left out)."""
    path = po_path(language, locale_dir)
    entries = parse_po(path.read_text(encoding="utf-8"))
    return {k: v for k, v in entries.items() if k and v}


@functools.lru_cache(maxsize=8)
def translations(language: str) -> gettext.NullTranslations:
    """gettext translations for `language`; an unknown or missing catalog falls back to msgids."""
    path = po_path(language)
    if language not in LANGUAGES or not path.is_file():
        log.error("no catalog for language %r at %s: showing message ids", language, path)
        return gettext.NullTranslations()
    entries = parse_po(path.read_text(encoding="utf-8"))
    return gettext.GNUTranslations(io.BytesIO(compile_mo(entries)))


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


# _('text', ...), self.tr("text"...), N_("text"): the first argument when it is a literal
_MARKED = re.compile(r"""(?:\b_|\.tr|\bN_)\(\s*(?P<q>'|")(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)\s*[,)]""")


def extract_msgids(paths: list[Path]) -> set[str]:
    """Every literal msgid marked in these .py / .kv files."""
    found: set[str] = set()
    for path in paths:
        for match in _MARKED.finditer(path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(match.group("q") + match.group("text") + match.group("q")))
    return found


# -- catalog maintenance ------------------------------------------------------------------
_EMULATOR_LABEL = re.compile(r"""EmulatorAction\(\s*["'][^"']*["']\s*,\s*["']([^"']+)["']""")
HEADER = {"zh_CN": "Language: zh_CN", "en": "Language: en"}


def ui_sources() -> list[Path]:
    """The skin's files whose marked strings the catalogs must cover."""
    screens = shipped("screens")
    return sorted(p for p in screens.rglob("*") if p.suffix in (".py", ".kv"))


def source_messages() -> dict[str, str]:
    """msgid -> English text of everything shown: the skin's strings, the session's message
    ids (with host decline reasons) and the emulators' panel labels."""
    from .session.messages import DEFAULT_TEXT
    messages = {msgid: msgid for msgid in extract_msgids(ui_sources())}
    for path in sorted(shipped("drivers").rglob("*.py")):
        for label in _EMULATOR_LABEL.findall(path.read_text(encoding="utf-8")):
            messages.setdefault(label, label)
    messages.update(DEFAULT_TEXT)
    return messages


def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_po(path: Path, language: str, entries: dict[str, str]) -> None:
    lines = ['msgid ""', 'msgstr ""',
             _po_quote(f"Project-Id-Version: lobby-kiosk\n"),
             _po_quote(f"{HEADER.get(language, 'Language: ' + language)}\n"),
             _po_quote("MIME-Version: 1.0\n"),
             _po_quote("Content-Type: text/plain; charset=UTF-8\n"),
             _po_quote("Content-Transfer-Encoding: 8bit\n"), ""]
    for msgid in sorted(entries):
        if msgid:
            lines += [f"msgid {_po_quote(msgid)}", f"msgstr {_po_quote(entries[msgid])}", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def update_catalogs(locale_dir: Path = LOCALE_DIR) -> dict[str, list[str]]:
    """Bring both .po files up to date with the sources, keeping every translation made.

    English gets the default text for new ids; other languages get an empty msgstr to fill
    in. Returns, per language, the msgids still without a translation.
    """
    sources = source_messages()
    missing: dict[str, list[str]] = {}
    for language in LANGUAGES:
        path = po_path(language, locale_dir)
        old = parse_po(path.read_text(encoding="utf-8")) if path.is_file() else {}
        entries = {}
        for msgid, english in sources.items():
            kept = old.get(msgid, "")
            entries[msgid] = kept or (english if language == "en" else "")
        write_po(path, language, entries)
        missing[language] = sorted(k for k, v in entries.items() if not v)
    return missing


if __name__ == "__main__":  # python -m kiosk.i18n: refresh the catalogs after adding strings
    import sys
    for lang, ids in update_catalogs().items():
        sys.stdout.write(f"{lang}: {len(ids)} untranslated {ids[:20]}\n")
