"""The gettext catalogs: both languages cover every string the customer can see, keep the
placeholders, compile, and every character they use is in the UI font (no boxes)."""
from __future__ import annotations

import re
import string

import pytest

from kiosk import i18n
from kiosk.resources import FONT



@pytest.fixture(scope="module")
def catalogs() -> dict[str, dict[str, str]]:
    return {lang: i18n.catalog(lang) for lang in i18n.LANGUAGES}


def test_every_msgid_in_the_screens_is_translated_in_both_languages(catalogs):
    used = i18n.extract_msgids(i18n.ui_sources())
    assert {"Start", "Call staff", "Enter your PIN", "Tries left: {n}"} <= used
    for language, entries in catalogs.items():
        missing = sorted(used - set(entries))
        assert not missing, f"{language} catalog lacks {missing}"


def test_session_messages_and_host_reasons_are_translated(catalogs):
    from kiosk.host.link import REASONS
    from kiosk.session.messages import MESSAGE_IDS
    for language, entries in catalogs.items():
        missing = sorted((set(MESSAGE_IDS) | set(REASONS)) - set(entries))
        assert not missing, f"{language} catalog lacks {missing}"


def test_catalogs_are_up_to_date_with_the_sources(catalogs):
    """`python -m kiosk.i18n` was run after adding strings: nothing new is waiting."""
    sources = i18n.source_messages()
    for language, entries in catalogs.items():
        assert not sorted(set(sources) - set(entries)), language


def test_chinese_is_really_chinese_and_english_is_not(catalogs):
    han = re.compile(r"[\u4e00-\u9fff]")
    zh, en = catalogs["zh_CN"], catalogs["en"]
    assert zh["Start"] == "开始办理" and en["Start"] == "Start"
    untranslated = [k for k, v in zh.items() if not han.search(v) and han.search(k) is None
                    and any(c.isalpha() for c in v) and not k.startswith(("emu.", "panel."))]
    assert not untranslated, f"zh_CN entries left in English: {untranslated[:10]}"
    assert not [k for k, v in en.items() if han.search(v)]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_translations_keep_the_placeholders(catalogs):
    for language, entries in catalogs.items():
        wrong = [k for k, v in entries.items() if _fields(k) != _fields(v)]
        assert not wrong, f"{language}: placeholders differ in {wrong}"


def test_every_character_of_every_catalog_is_in_the_font(catalogs):
    from fontTools.ttLib import TTCollection
    cmap = TTCollection(str(FONT)).fonts[0].getBestCmap()
    from kiosk.config import load_config
    bank = load_config().kiosk  # the bank's name comes from config, not from the catalogs
    for language, entries in catalogs.items():
        text = "".join(entries.values()) + "".join(entries) + bank.bank_name + bank.bank_name_en
        absent = sorted({c for c in text if c.isprintable() and ord(c) not in cmap})
        assert not absent, f"{language}: the font has no glyph for {absent}"


def test_pinyin_candidates_are_all_in_the_font():
    from fontTools.ttLib import TTCollection
    from screens.widgets import pinyin_input
    cmap = TTCollection(str(FONT)).fonts[0].getBestCmap()
    table = pinyin_input.table()
    characters = {c for found in table.values() for c in found}
    assert len(characters) > 3700
    assert not [c for c in characters if ord(c) not in cmap]
    assert pinyin_input.candidates("ce")[0] == "测"
    assert "丙" in pinyin_input.candidates("bing")[:7]


def test_po_files_compile_to_mo_that_gettext_reads(tmp_path):
    from babel.messages.catalog import Catalog
    entries = Catalog(locale="zh_CN")
    entries.add("Start", "开始办理")
    entries.add('Say "hi"\n', "说“你好”\n")
    entries.add(("{n} ticket", "{n} tickets"), ("{n} 张票",))
    entries.add("Open", "打开账户", context="account")
    po = tmp_path / "xx" / "LC_MESSAGES" / "kiosk.po"
    i18n.save_catalog(po, "zh_CN", entries)
    parsed = i18n.load_po(po, "zh_CN")
    assert parsed.get("Start").string == "开始办理" and parsed.get('Say "hi"\n').string == "说“你好”\n"
    translations = i18n.compile_translations(parsed)
    assert translations.gettext('Say "hi"\n') == "说“你好”\n"
    assert translations.gettext("missing") == "missing"
    assert translations.ngettext("{n} ticket", "{n} tickets", 3) == "{n} 张票"
    assert translations.pgettext("account", "Open") == "打开账户"
    assert i18n.translate("zh_CN", "Start") == "开始办理"
    assert i18n.translate("en", "way_retry") == "Try again"


def test_extraction_keeps_translator_comments_contexts_and_plurals(tmp_path):
    """Babel reads the skin's marks: a `# TRANSLATORS:` comment travels to the catalog, contexts
    and plurals are taken, in .py and .kv files alike."""
    source = tmp_path / "demo.py"
    source.write_text("# TRANSLATORS: the big button on the welcome page\n"
                      "label = self.tr('Begin')\n"
                      "tickets = ngettext('{n} ticket', '{n} tickets', n)\n"
                      "verb = pgettext('account', 'Open')\n"
                      "kind = _(msgid_for('service_', purpose))\n", encoding="utf-8")
    layout = tmp_path / "demo.kv"
    layout.write_text("#:import _ screens.translation._\n<Demo>:\n    Label:\n"
                      "        # TRANSLATORS: shown under the amount\n"
                      "        text: _('Fee {fee}', app.language, fee=root.fee)\n"
                      "    Label:\n        text: _(root.problem, app.language)\n", encoding="utf-8")
    found = {(m, tuple(c), ctx) for _, _, m, c, ctx in i18n.extract_messages([source, layout])}
    assert ("Begin", ("the big button on the welcome page",), None) in found
    assert (("{n} ticket", "{n} tickets"), (), None) in found
    assert ("Open", (), "account") in found
    assert ("Fee {fee}", ("shown under the amount",), None) in found
    # an id built at run time goes through a call of its own (Babel would take a bare 'service_')
    assert i18n.extract_msgids([source, layout]) == {"Begin", "Fee {fee}"}


def test_the_refresh_keeps_translations_and_writes_comments(tmp_path, monkeypatch):
    """`python -m kiosk.i18n` on a copy of the catalogs: nothing translated is lost, a new
    string arrives empty in zh_CN and with its English text in en, a second run changes nothing."""
    import shutil
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    before = {lang: i18n.catalog(lang, locale) for lang in i18n.LANGUAGES}
    template = i18n.source_template()
    template.add("A brand new string", "A brand new string",
                 auto_comments=["TRANSLATORS: for the test"])
    monkeypatch.setattr(i18n, "source_template", lambda: template)
    missing = i18n.update_catalogs(locale)
    assert missing == {"zh_CN": ["A brand new string"], "en": []}
    after = {lang: i18n.catalog(lang, locale) for lang in i18n.LANGUAGES}
    assert after["zh_CN"] == before["zh_CN"]
    assert after["en"] == {**before["en"], "A brand new string": "A brand new string"}
    written = i18n.po_path("zh_CN", locale).read_text(encoding="utf-8")
    assert '#. TRANSLATORS: for the test\nmsgid "A brand new string"\nmsgstr ""' in written
    i18n.update_catalogs(locale)
    assert i18n.po_path("zh_CN", locale).read_text(encoding="utf-8") == written
