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
