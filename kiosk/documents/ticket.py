"""The queue ticket: the number to wait for, the service, how long it may take."""
from __future__ import annotations

from drivers.printer.document import Block, Blank, Document, Page, Pair, Qr, Rule, Text
from .format import label
from .slip import SlipContext, header

# what the code is for, printed above it (the counter scans it for the pre-filled form)
FORM_QR_LABEL = ("柜台扫此码，调出您已填好的表单", "Staff scan this for your filled-in form")


def queue_ticket(number: str, service_zh: str, service_en: str, *, waiting_ahead: int,
                 estimated_wait_min: int, reference: str, ctx: SlipContext) -> Document:
    blocks: list[Block] = header("排队号", "Queue Ticket", ctx)
    blocks += [
        Text(number, align="center", bold=True, scale=4),
        Text(f"{service_zh} {service_en}", align="center", bold=True),
        Rule(),
        Pair(label("前面等候", "Waiting ahead"), f"{waiting_ahead}"),
        Pair(label("预计等待", "Estimated wait"), f"{estimated_wait_min} 分钟 min"),
        Rule(),
        Text(FORM_QR_LABEL[0], align="center"),
        Text(FORM_QR_LABEL[1], align="center"),
        Qr(reference),
        Text("过号请重新取号 If you miss your number, take a new ticket", align="center"),
        Blank(),
    ]
    return Document("ticket", reference, (Page(tuple(blocks)),))
