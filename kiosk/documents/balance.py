"""The balance slip: one account's ledger and available balance."""
from __future__ import annotations

from kiosk.host.models import Account
from drivers.privacy import mask_number

from drivers.printer.document import Block, Document, Page, Pair
from .format import label, money
from .slip import SlipContext, header, reference_footer

ACCOUNT_KINDS = {"debit": label("借记卡", "Debit"), "savings": label("储蓄", "Savings"),
                 "credit": label("信用卡", "Credit")}


def account_kind(kind: str) -> str:
    return ACCOUNT_KINDS.get(kind, kind)


def balance_slip(account: Account, reference: str, ctx: SlipContext) -> Document:
    blocks: list[Block] = header("余额查询", "Balance Enquiry", ctx)
    blocks += [
        Pair(label("账户", "Account"), mask_number(account.number_masked)),
        Pair(label("类型", "Type"), account_kind(account.kind)),
        Pair(label("币种", "Currency"), account.currency),
        Pair(label("账户余额", "Balance"), money(account.balance_fen), bold=True),
        Pair(label("可用余额", "Available"), money(account.available_fen), bold=True),
    ]
    blocks += reference_footer(reference)
    return Document("balance", reference, (Page(tuple(blocks)),))
