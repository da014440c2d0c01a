"""The parts every slip shares: the bank header, the kiosk and time lines, the reference QR."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from drivers.printer.document import Blank, Block, Pair, Qr, Rule, Text
from .format import label, timestamp


@dataclass(frozen=True)
class SlipContext:
    """Where and when a slip is printed, and for which bank."""
    kiosk_id: str
    branch: str
    printed_at: dt.datetime
    bank_name: str = "示例银行"
    bank_name_en: str = "Sample Bank"

    @classmethod
    def for_kiosk(cls, config: Any, printed_at: dt.datetime | None = None) -> "SlipContext":
        """The context of a slip this kiosk prints now (config: kiosk.config.KioskConfig)."""
        k = config.kiosk
        return cls(k.id, k.branch, printed_at or dt.datetime.now(), k.bank_name, k.bank_name_en)


def header(title_zh: str, title_en: str, ctx: SlipContext) -> list[Block]:
    return [
        Text(ctx.bank_name, align="center", bold=True),
        Text(ctx.bank_name_en, align="center"),
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
