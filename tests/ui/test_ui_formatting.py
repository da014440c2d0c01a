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
    from screens.amount import fee_text
    interbank = {"fee_schedule": {"rate_bp": 5, "min_fen": 200, "max_fen": 2_500}}
    assert fee_text(interbank, "", "en") == "0.05% of the amount, ¥2 to ¥25"
    assert fee_text(interbank, "", "zh_CN") == "0.05%，¥2至¥25"
    odd = {"fee_schedule": {"rate_bp": 10, "min_fen": 150, "max_fen": 100_000}}
    assert fee_text(odd, "", "en") == "0.1% of the amount, ¥1.50 to ¥1,000"
    assert [fee_text(interbank, typed, "en") for typed in ("100", "10000", "20000.", "80000")] \
        == ["¥2.00", "¥5.00", "¥10.00", "¥25.00"]
    free = {"fee_schedule": {"rate_bp": 0, "min_fen": 0, "max_fen": 0}}
    assert fee_text(free, "500", "zh_CN") == "免费"
    assert fee_text({}, "500", "en") == "Shown before you confirm"
