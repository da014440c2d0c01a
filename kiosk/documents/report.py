"""The end-of-day report for branch staff, and the printer test page of the diagnostics."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drivers.printer.document import Block, Document, Page, Pair, Qr, Rule, Text
from .format import day, label, money
from .slip import SlipContext, header, reference_footer


@dataclass(frozen=True)
class DayTotal:
    """One line of the day: a kind of business, how many, how much."""
    label_zh: str
    label_en: str
    count: int
    amount_fen: int = 0


def end_of_day_report(business_day: dt.date, totals: list[DayTotal], ctx: SlipContext, *,
                      faults: int = 0, receipts_printed: int = 0,
                      receipts_pending: int = 0) -> Document:
    reference = f"EOD-{ctx.kiosk_id}-{business_day:%Y%m%d}"
    blocks: list[Block] = header("日终报表", "End-of-Day Report", ctx)
    blocks.append(Pair(label("营业日", "Business day"), day(business_day), bold=True))
    blocks.append(Rule())
    for item in totals:
        blocks.append(Pair(label(item.label_zh, item.label_en), f"{item.count} 笔"))
        if item.amount_fen:
            blocks.append(Pair("", money(item.amount_fen)))
    blocks += [
        Rule(),
        Pair(label("交易笔数", "Transactions"), str(sum(t.count for t in totals)), bold=True),
        Pair(label("交易金额", "Amount (CNY)"), money(sum(t.amount_fen for t in totals)),
             bold=True),
        Pair(label("设备故障", "Device faults"), str(faults)),
        Pair(label("已打印凭条", "Slips printed"), str(receipts_printed)),
        Pair(label("待补打凭条", "Slips to reprint"), str(receipts_pending)),
    ]
    blocks += reference_footer(reference, note_zh="网点留存", note_en="Branch copy")
    return Document("report", reference, (Page(tuple(blocks)),))


def printer_test_page(ctx: SlipContext, *, width_chars: int) -> Document:
    """What `kiosk diag printer --test-page` prints: sizes, Chinese text, a ruler, a QR."""
    reference = f"TEST-{ctx.kiosk_id}-{ctx.printed_at:%Y%m%d%H%M%S}"
    ruler = "".join(str(i % 10) for i in range(1, width_chars + 1))
    blocks: list[Block] = header("打印机测试页", "Printer Test Page", ctx)
    blocks += [
        Text(ruler),
        Text("中文打印测试 汉字显示正常", bold=True),
        Text("ASCII 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        Text("倍宽倍高 2x", scale=2),
        Text("左对齐 Left"),
        Text("居中 Center", align="center"),
        Text("右对齐 Right", align="right"),
        Rule("="),
        Qr(reference),
        Text(reference, align="center"),
    ]
    return Document("test_page", reference, (Page(tuple(blocks)),))
