from kiosk.privacy import mask_name, mask_number, scrub


def test_card_and_id_numbers_keep_first_six_and_last_four():
    assert mask_number("6222020000000000018") == "622202*********0018"
    assert mask_number("11010119900307103X") == "110101********103X"
    assert mask_number("1234") == "1234"
    assert mask_number("12345678") == "********"


def test_names_are_masked_for_payee_confirmation():
    assert mask_name("张三") == "*三"
    assert mask_name("欧阳小明") == "欧**明"


def test_scrub_masks_numbers_in_free_text_only_when_long():
    text = "card 6222020000000000018 id 110101199003071030 amount 100000 ref 20261128"
    out = scrub(text)
    assert "6222020000000000018" not in out and "622202*********0018" in out
    assert "110101199003071030" not in out and "110101********1030" in out
    assert "amount 100000" in out and "20261128" in out
