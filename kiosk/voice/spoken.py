"""Numbers and amounts as a listener hears them: ¥1,234.50 -> 一千二百三十四元五角."""
from __future__ import annotations

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_SMALL = ("", "十", "百", "千")
_ZH_BIG = ("", "万", "亿", "万亿")


def _zh_group(n: int) -> str:
    """0 < n < 10000 as Chinese, with the zeros a reader says (1005 -> 一千零五)."""
    out, zero = [], False
    for power in (3, 2, 1, 0):
        digit = n // 10 ** power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_ZH_DIGITS[digit] + _ZH_SMALL[power])
    return "".join(out)


def integer_zh(n: int) -> str:
    """A whole number read in Chinese: 0 -> 零, 15 -> 十五, 100010 -> 十万零一十."""
    if n < 0:
        return "负" + integer_zh(-n)
    if n == 0:
        return _ZH_DIGITS[0]
    groups = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out, pending_zero = [], False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(out)
            continue
        if out and (pending_zero or group < 1000):
            out.append("零")
        out.append(_zh_group(group) + _ZH_BIG[index])
        pending_zero = False
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text


def money_zh(fen: int) -> str:
    """An amount in fen read as 元, 角, 分: 123450 -> 一千二百三十四元五角; 5 -> 五分."""
    if fen < 0:
        return "负" + money_zh(-fen)
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    parts = []
    if yuan or not (jiao or cents):
        parts.append(integer_zh(yuan) + "元")
    if jiao:
        parts.append(_ZH_DIGITS[jiao] + "角")
    if cents:
        if yuan and not jiao:
            parts.append("零")
        parts.append(_ZH_DIGITS[cents] + "分")
    return "".join(parts)


def money_en(fen: int) -> str:
    """An amount in fen for the English voice: 123450 -> "1234 yuan 50" (espeak reads numbers)."""
    sign = "minus " if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    unit = "yuan"
    return f"{sign}{yuan} {unit} {cents:02d}" if cents else f"{sign}{yuan} {unit}"


def money(fen: int, language: str) -> str:
    return money_zh(fen) if language == "zh_CN" else money_en(fen)


def digit_by_digit(text: str, language: str) -> str:
    """A number read one digit at a time (queue numbers, references): "A023" -> "A 零 二 三"."""
    if language == "zh_CN":
        return " ".join(_ZH_DIGITS[int(c)] if c.isascii() and c.isdigit() else c
                        for c in text if not c.isspace())
    return " ".join(c for c in text if not c.isspace())


def count(n: int, language: str) -> str:
    """A small count as words for the listener (seconds, people ahead)."""
    return integer_zh(n) if language == "zh_CN" else str(n)
