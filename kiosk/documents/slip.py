"""The parts every slip shares: the bank header, the kiosk and time lines, the reference QR."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .blocks import Blank, Block, Pair, Qr, Rule, Text
from .format import label, timestamp

BANK_NAME = "银行自助服务"
BANK_NAME_EN = "Bank Self-Service"


@dataclass(frozen=True)
class SlipContext:
    """Where and when a slip is printed."""
    kiosk_id: str
    branch: str
    printed_at: dt.datetime


def header(title_zh: str, title_en: str, ctx: SlipContext) -> list[Block]:
    return [
        Text(BANK_NAME, align="center", bold=True),
        Text(BANK_NAME_EN, align="center"),
        Text(title_zh, align="center", bold=True, scale=2),
        Text(title_en, align="center", bold=True),
        Rule(),
        Pair(label("网点", "Branch"), ctx.branch),
        Pair(label("终端", "Kiosk"), ctx.kiosk_id),
        Pair(label("时间", "Time"), timestamp(ctx.printed_at)),
        Rule(),
    ]


def reference_footer(reference: str, *, note_zh: str = "请妥善保管",
                     note_en: str = "Please keep this slip") -> list[Block]:
    """The reference in words and as a QR (the QR carries the reference and nothing else)."""
    return [
        Rule(),
        Pair(label("流水号", "Ref."), reference),
        Qr(reference),
        Text(f"{note_zh} {note_en}", align="center"),
        Blank(),
    ]
