"""The sandbox bank's invented customers, accounts and cards (they match the emulated chip cards).

All people and numbers are invented test data: card numbers carry a valid Luhn digit, ID numbers
a valid GB 11643 check digit. Amounts are integer fen. The PIN of every card is 123456.
"""
from __future__ import annotations

from dataclasses import dataclass

BANK_NAME = "示例银行"  # the same bank as the kiosk's default [kiosk] bank_name
BANK_NAME_EN = "Sample Bank"  # and [kiosk] bank_name_en
TEST_PIN = "123456"

# The branch's kiosks the bank serves (ISO 8583 field 41; with TLS, each certificate's name).
TERMINALS = tuple(f"KSK{n:05d}" for n in range(1, 10))

# Internal ledger accounts (no customer): every posting has its opposite leg in one of these or
# in a customer account, so the sum of all balances is always zero.
EQUITY = "BANK-EQUITY"            # funds the opening balances
FEES = "BANK-FEES"                # fee income
CLEARING = "BANK-CLEARING"        # money on its way to other banks
INTERNAL_ACCOUNTS = (EQUITY, FEES, CLEARING)


@dataclass(frozen=True)
class SeedAccount:
    account_id: str         # a label within the seed data; the bank gives each a random id
    number: str
    kind: str               # debit, savings, credit
    balance_fen: int        # balance after the seeded history
    credit_limit_fen: int = 0


@dataclass(frozen=True)
class SeedCard:
    pan: str
    account_id: str
    status: str = "active"  # active, lost, blocked, expired
    expires: str = "2031-12"
    pin_locked: bool = False


@dataclass(frozen=True)
class SeedCustomer:
    customer_id: str
    name: str
    id_number: str
    vip: bool
    accounts: tuple[SeedAccount, ...]
    cards: tuple[SeedCard, ...]


CUSTOMERS = (
    SeedCustomer("C0001", "测试甲", "110101199003071030", True,
                 (SeedAccount("A0001", "6222020000000000018", "debit", 5_234_000),
                  SeedAccount("A0002", "6222020000000100016", "savings", 2_000_000)),
                 (SeedCard("6222020000000000018", "A0001"),)),
    SeedCustomer("C0002", "测试乙", "310101198505121053", False,
                 (SeedAccount("A0003", "6259650000000000025", "credit", 0, 5_000_000),),
                 (SeedCard("6259650000000000025", "A0003"),)),
    SeedCustomer("C0003", "测试丙", "440301197809231070", False,
                 (SeedAccount("A0004", "6222020000000000034", "debit", 880_000),),
                 (SeedCard("6222020000000000034", "A0004"),)),
    SeedCustomer("C0004", "测试丁", "320102199201011093", False,
                 (SeedAccount("A0005", "6222020000000000042", "debit", 1_500_000),
                  SeedAccount("A0006", "6259650000000000041", "credit", 0, 3_000_000)),
                 (SeedCard("6222020000000000042", "A0005"),
                  SeedCard("6259650000000000041", "A0006"))),
    SeedCustomer("C0005", "测试戊", "330106197011111112", False,
                 (SeedAccount("A0007", "6222020000000000059", "debit", 300_000),),
                 (SeedCard("6222020000000000059", "A0007", status="expired", expires="2024-06"),)),
    SeedCustomer("C0006", "测试己", "51010719881230113X", False,
                 (SeedAccount("A0008", "6222020000000000067", "debit", 600_000),),
                 (SeedCard("6222020000000000067", "A0008"),)),
    SeedCustomer("C0007", "测试庚", "420102199506151154", False,
                 (SeedAccount("A0009", "6222020000000000075", "debit", 1_200_000),),
                 (SeedCard("6222020000000000075", "A0009", pin_locked=True),)),
    SeedCustomer("C0008", "测试辛", "370202198308081171", False,
                 (SeedAccount("A0010", "6222020000000000083", "debit", 900_000),),
                 (SeedCard("6222020000000000083", "A0010"),)),
    SeedCustomer("C0009", "测试壬", "210102197604041196", False,
                 (SeedAccount("A0011", "6222020000000000091", "debit", 750_000),),
                 (SeedCard("6222020000000000091", "A0011"),)),
    # the chip's PIN counter is lower than the bank's (9F17 = 2 and 1): the kiosk shows the smaller
    SeedCustomer("C0010", "测试子", "110102198703151033", False,
                 (SeedAccount("A0012", "6222020000000000125", "debit", 400_000),),
                 (SeedCard("6222020000000000125", "A0012"),)),
    SeedCustomer("C0011", "测试丑", "120101199106201047", False,
                 (SeedAccount("A0013", "6222020000000000133", "debit", 450_000),),
                 (SeedCard("6222020000000000133", "A0013"),)),
)

# Accounts at other banks the payee check knows (number, holder, bank).
EXTERNAL_ACCOUNTS = (
    ("6217000000000000012", "张测试", "中国建设银行"),
    ("6228480000000000018", "李测试", "中国农业银行"),
)

# The banks' names in English, by their Chinese names (the seed, and databases seeded before
# the bank kept both).
BANK_NAMES_EN = {BANK_NAME: BANK_NAME_EN, "中国建设银行": "China Construction Bank",
                 "中国农业银行": "Agricultural Bank of China"}

# What the bank writes on its entries, in Chinese; in English by DESCRIPTIONS_EN.
OPENING = "开户存入"
TRANSFER = "转账"        # a transfer without the customer's own memo
REVERSAL = "冲正"
FEE = "手续费"           # the fee's own line of a transfer

# A little history for statements: (days before seeding, account id, amount fen, description).
HISTORY = (
    (40, "A0001", 850_000, "工资"),
    (33, "A0001", -23_550, "电费"),
    (21, "A0001", -120_000, "信用卡还款"),
    (12, "A0001", 850_000, "工资"),
    (5, "A0001", -6_800, "水费"),
    (25, "A0004", 420_000, "工资"),
    (9, "A0004", -15_000, "话费"),
)

DESCRIPTIONS_EN = {OPENING: "Opening deposit", TRANSFER: "Transfer", REVERSAL: "Reversal",
                   FEE: "Transfer fee", "工资": "Salary", "电费": "Electricity bill",
                   "信用卡还款": "Credit card repayment", "水费": "Water bill",
                   "话费": "Phone bill"}
