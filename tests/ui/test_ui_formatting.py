from screens.formatting import money, number


def test_masked_numbers_are_shortened_for_the_screen_without_showing_more():
    assert number("622202*********0018") == "622202 **** 0018"
    assert number("110101********103X") == "110101 **** 103X"
    assert number("") == "" and number(None) == ""


def test_money_on_screen():
    assert money(5_234_000) == "¥52,340.00"
    assert money(-32_650) == "-¥326.50"
    assert money(100, "USD") == "USD 1.00"
    assert money(None) == "—"


def test_fee_shown_as_the_customer_types():
    """The screen words the fee the session priced (kiosk.session.rules.fee_view) for what is
    typed; it never prices it itself."""
    from kiosk.host.models import FeeSchedule
    from kiosk.session.rules import fee_view
    from screens.amount import fee_text
    from screens.formatting import parse_amount

    def priced(rate_bp: int, min_fen: int, max_fen: int, typed: str = "") -> dict:
        return fee_view(FeeSchedule(rate_bp, min_fen, max_fen), parse_amount(typed) or 0)

    interbank = priced(5, 200, 2_500)
    assert fee_text(interbank, "", "en") == "0.05% of the amount, ¥2 to ¥25"
    assert fee_text(interbank, "", "zh_CN") == "0.05%，¥2至¥25"
    odd = priced(10, 150, 100_000)
    assert fee_text(odd, "", "en") == "0.1% of the amount, ¥1.50 to ¥1,000"
    assert [fee_text(priced(5, 200, 2_500, typed), typed, "en")
            for typed in ("100", "10000", "20000.", "80000")] \
        == ["¥2.00", "¥5.00", "¥10.00", "¥25.00"]
    assert fee_text(interbank, "100", "en") == "0.05% of the amount, ¥2 to ¥25"  # not priced yet
    free = priced(0, 0, 0, "500")
    assert fee_text(free, "500", "zh_CN") == "免费"
    assert fee_text({}, "500", "en") == "Shown before you confirm"
