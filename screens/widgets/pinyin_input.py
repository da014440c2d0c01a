"""Pinyin to Chinese characters for typing a payee's name on the kiosk's own keyboard.

Candidates are the 3,755 common characters of GB 2312 level 1 (all covered by the UI font),
common surname and given-name characters first. The table is built on first use, off the UI
thread (`warm_up`), because pypinyin's dictionary takes about half a second to load.
"""
from __future__ import annotations

import threading
import unicodedata

# shown first when they match: the commonest surnames and name characters
PREFERRED = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
             "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙"
             "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
             "桂英华玉兰萍红建国文辉鹏飞宇浩然子涵梓轩欣怡雨佳琪晨阳测试甲乙丙丁戊己庚辛壬癸")

_table: dict[str, list[str]] | None = None
_warm_up_started = threading.Lock()   # taken for good by the first warm_up
_lock = threading.Lock()


def _plain(syllable: str) -> str:
    """'lǚ' -> 'lv', 'cè' -> 'ce' (the way pinyin is typed on a keyboard)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0308")
    return kept.replace("u\u0308", "v")


def _build() -> dict[str, list[str]]:
    from pypinyin.pinyin_dict import pinyin_dict
    rank = {ch: i for i, ch in enumerate(PREFERRED)}
    chars = [bytes([row, col]).decode("gb2312") for row in range(0xB0, 0xD8)
             for col in range(0xA1, 0xFF) if not (row == 0xD7 and col > 0xF9)]
    table: dict[str, list[str]] = {}
    for ch in chars:
        for syllable in pinyin_dict.get(ord(ch), "").split(","):
            plain = _plain(syllable)
            if plain and ch not in table.setdefault(plain, []):
                table[plain].append(ch)
    for syllable, found in table.items():
        found.sort(key=lambda c: rank.get(c, len(rank)))
    return table


def table() -> dict[str, list[str]]:
    global _table
    with _lock:
        if _table is None:
            _table = _build()
        return _table


def ready() -> bool:
    return _table is not None


def warm_up() -> None:
    """Build the table on a background thread (once, however often this is called). Never
    waits: the UI thread calls it, and the build holds `_lock` for half a second."""
    if _table is None and _warm_up_started.acquire(blocking=False):
        threading.Thread(target=table, name="pinyin-table", daemon=True).start()


def candidates(typed: str, limit: int = 40) -> list[str]:
    """Characters for the typed pinyin: an exact syllable first, then syllables it begins."""
    typed = typed.lower().strip()
    if not typed or not ready():
        return []
    syllables = table()
    out = list(syllables.get(typed, []))
    for syllable in sorted(s for s in syllables if s.startswith(typed) and s != typed):
        out.extend(c for c in syllables[syllable] if c not in out)
    return out[:limit]
