"""The transaction receipt for a transfer: who paid whom, how much, and what came of it."""
from __future__ import annotations

from kiosk.host.models import (Account, TransferInstruction, TransferKind, TransferOutcome,
                               TransferResult)
from drivers.privacy import mask_name, mask_number, scrub

from drivers.printer.document import Block, Document, Page, Pair, Text
from .format import label, money
from .slip import SlipContext, header, reference_footer

KIND_LABELS = {
    TransferKind.OWN: label("本人账户互转", "Own accounts"),
    TransferKind.INTRABANK: label("行内转账", "Same bank"),
    TransferKind.INTERBANK: label("跨行转账", "Other bank"),
}
OUTCOME_LABELS = {
    TransferOutcome.APPROVED: label("交易成功", "Approved"),
    TransferOutcome.DECLINED: label("交易失败", "Declined"),
    TransferOutcome.PENDING: label("结果待确认", "Pending"),
    TransferOutcome.HELD: label("待人工确认", "Held for review"),
}


def transfer_receipt(instruction: TransferInstruction, result: TransferResult, account: Account,
                     ctx: SlipContext, *, payee_bank: str = "",
                     balance_after_fen: int | None = None) -> Document:
    """`account` is the paying account; `balance_after_fen` its balance as the host gives it
    after the transfer (left off when unknown)."""
    blocks: list[Block] = header("转账凭条", "Transfer Receipt", ctx)
    blocks += [
        Pair(label("交易类型", "Type"), KIND_LABELS[instruction.kind]),
        Pair(label("付款账户", "From"), mask_number(account.number_masked)),
        Pair(label("收款账户", "To"), mask_number(instruction.to_account_number)),
        Pair(label("收款人", "Payee"), mask_name(instruction.to_name)),
        *([Pair(label("收款银行", "Payee's bank"), payee_bank)] if payee_bank else []),
        Pair(label("金额", f"Amount ({account.currency})"), money(instruction.amount_fen), bold=True),
        Pair(label("手续费", "Fee"), money(result.fee_fen)),
    ]
    if instruction.memo:
        blocks.append(Pair(label("附言", "Memo"), scrub(instruction.memo)))
    if balance_after_fen is not None:
        blocks.append(Pair(label("交易后余额", "Balance after"), money(balance_after_fen)))
    blocks.append(Text(OUTCOME_LABELS[result.outcome], align="center", bold=True, scale=2))
    if result.outcome is not TransferOutcome.APPROVED and result.reason:
        blocks.append(Pair(label("原因", "Reason"), result.reason))
    blocks += reference_footer(result.reference)
    return Document("receipt", result.reference, (Page(tuple(blocks)),))
