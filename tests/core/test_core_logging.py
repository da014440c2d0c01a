import logging

from kiosk.logging_setup import configure_logging


def test_log_file_never_holds_a_full_card_or_id_number(tmp_path):
    path = configure_logging(tmp_path, "INFO", console=False)
    log = logging.getLogger("kiosk.test")
    try:
        log.info("card %s read", "6222020000000000018")
        try:
            raise ValueError("bad id 110101199003071030")
        except ValueError:
            log.exception("failed")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        logging.getLogger().handlers.clear()
    text = path.read_text(encoding="utf-8")
    assert "622202*********0018" in text and "110101********1030" in text
    assert "6222020000000000018" not in text and "110101199003071030" not in text
