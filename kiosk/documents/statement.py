"""The account statement: many transactions over numbered pages, each page a slip of its own.

Page 1 opens with the opening balance; every page carries the balance forward from the page
before, so a statement that continues after a paper change still reads as one. The last page
holds the totals and the closing balance.
"""
from __future__ import annotations

from kiosk.host.models import Statement, Transaction
from drivers.privacy import mask_number, scrub

from .balance import account_kind
from drivers.printer.document import Block, Document, Page, Pair, Rule, Text
from .format import day, label, money, signed_money
from .slip import SlipContext, header, reference_footer

DEFAULT_LINES_PER_PAGE = 12


def account_statement(statement: Statement, reference: str, ctx: SlipContext, *,
                      lines_per_page: int = DEFAULT_LINES_PER_PAGE,
                      language: str = "zh_CN") -> Document:
    """The labels in both languages; the bank's descriptions in the customer's `language`."""
    if lines_per_page < 1:
        raise ValueError(f"lines_per_page must be at least 1, got {lines_per_page}")
    moved = sum(t.amount_fen for t in statement.lines)
    if statement.opening_fen + moved != statement.closing_fen:
        raise ValueError(f"statement {reference} does not add up: opening "
                         f"{statement.opening_fen} + movements {moved} != closing "
                         f"{statement.closing_fen}")
    chunks = [statement.lines[i:i + lines_per_page]
              for i in range(0, len(statement.lines), lines_per_page)] or [[]]
    pages = []
    balance = statement.opening_fen
    for number, chunk in enumerate(chunks, start=1):
        blocks = _page_head(statement, reference, ctx, number, len(chunks), balance)
        for item in chunk:
            blocks += _transaction(item, language)
        balance += sum(t.amount_fen for t in chunk)
        blocks.append(Rule())
        if number < len(chunks):
            blocks.append(Pair(label("转下页", "Carried forward"), money(balance)))
        else:
            blocks += _totals(statement)
        blocks.append(Text(_page_number(number, len(chunks)), align="center"))
        blocks += reference_footer(reference)
        pages.append(Page(tuple(blocks)))
    return Document("statement", reference, tuple(pages))


def _page_head(statement: Statement, reference: str, ctx: SlipContext, number: int,
               count: int, balance: int) -> list[Block]:
    blocks = header("账户对账单", "Account Statement", ctx)
    blocks += [
        Text(_page_number(number, count), align="center", bold=True),
        Pair(label("账户", "Account"), mask_number(statement.account.number_masked)),
        Pair(label("类型", "Type"), account_kind(statement.account.kind)),
        Pair(label("期间", "Period"), f"{day(statement.date_from)} ~ {day(statement.date_to)}"),
        Pair(label("币种", "Currency"), statement.account.currency),
        Rule(),
    ]
    if number == 1:
        blocks.append(Pair(label("期初余额", "Opening balance"), money(balance), bold=True))
    else:
        blocks.append(Pair(label("承前页", "Brought forward"), money(balance), bold=True))
    blocks.append(Rule())
    return blocks


def _page_number(number: int, count: int) -> str:
    return f"第 {number}/{count} 页 Page {number} of {count}"


def _transaction(item: Transaction, language: str) -> list[Block]:
    blocks: list[Block] = [
        Pair(f"{item.posted_at:%m-%d %H:%M} {scrub(item.descriptions.pick(language))}",
             signed_money(item.amount_fen)),
        Pair(f"  {item.reference}", f"{label('余额', 'Bal.')} {money(item.balance_fen)}"),
    ]
    if item.counterparty_masked:
        blocks.append(Text(f"  {label('对方', 'Other party')} "
                           f"{mask_number(item.counterparty_masked)}"))
    return blocks


def _totals(statement: Statement) -> list[Block]:
    credits = [t.amount_fen for t in statement.lines if t.amount_fen > 0]
    debits = [t.amount_fen for t in statement.lines if t.amount_fen < 0]
    return [
        Pair(label("存入合计", f"Credits ({len(credits)})"), money(sum(credits))),
        Pair(label("支出合计", f"Debits ({len(debits)})"), money(-sum(debits))),
        Pair(label("期末余额", "Closing balance"), money(statement.closing_fen), bold=True),
    ]
