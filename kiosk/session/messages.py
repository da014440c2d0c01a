"""Every message id the session can put in front of a customer, with its English default.

The screens translate these ids through their gettext catalogs; `MESSAGE_IDS` lets a test
check that every catalog covers every id. Host decline reasons (kiosk.host.models REASONS)
appear here too, because a decline's reason is shown as the message.
"""
from __future__ import annotations

DEFAULT_TEXT: dict[str, str] = {
    # attract, menu and triage
    "welcome": "Touch the screen to begin.",
    "out_of_service": "Out of service: a technician is working on this machine.",
    "out_of_service_staff": "Out of service for now. Please ask the staff at the counter.",
    "rechecking_devices": "Checking the devices. One moment, please.",
    "choose_service": "What would you like to do today?",
    "service_balance": "Balance and accounts",
    "service_transactions": "Transaction history",
    "service_statement": "Print a statement",
    "service_transfer": "Transfer money",
    "service_lost_card": "Report a lost card",
    "service_ticket": "Take a queue ticket",
    "service_open_account": "Open an account",
    "service_cash_large": "Large cash withdrawal or deposit",
    "service_card_replacement": "Replace a card",
    "service_loan": "Loans and mortgages",
    "service_wealth": "Savings and investment advice",
    "service_foreign_exchange": "Foreign currency exchange",
    "triage_counter": "This is done at the counter: we will print you a queue ticket.",
    "triage_wealth_manager": "A wealth manager will help you: we will print you a queue ticket.",
    # identification
    "identify_card": "Please insert your bank card.",
    "identify_card_or_id": "Insert your bank card, lay your ID card on the reader, or scan your "
                           "appointment code.",
    "identify_idcard": "Please lay your ID card on the reader.",
    "identify_optional": "Identify yourself for priority service, or continue without.",
    "choose_card_application": "This card has two accounts. Which one would you like to use?",
    "application_unionpay_debit": "UnionPay debit card",
    "application_unionpay_credit": "UnionPay credit card",
    "application_unionpay_quasi_credit": "UnionPay quasi-credit card",
    "application_unionpay_ecash": "UnionPay electronic cash",
    "reading_card": "Reading your card. Please do not remove it.",
    "reading_idcard": "Reading your ID card. Please keep it on the reader.",
    "checking_appointment": "Checking your appointment.",
    "card_unreadable": "Your card could not be read. Please take it out and insert it again.",
    "idcard_unreadable": "Your ID card could not be read. Please lay it on the reader again.",
    "idcard_expired": "This ID card has expired. Please use a valid ID card or see the counter.",
    "card_expired": "This card has expired. Please see a member of staff at the counter.",
    "card_blocked": "This card cannot be used. Please see a member of staff at the counter.",
    "card_lost": "This card has been reported lost. Please see a member of staff.",
    "card_not_accepted": "This card is not accepted at this machine.",
    "appointment_invalid": "This code is not a valid appointment for this branch.",
    "appointment_expired": "This appointment has expired. You can take a ticket instead.",
    "qr_wrong_kind": "This is not an appointment code. Open your appointment in the mobile "
                     "banking app and show its code.",
    # PIN
    "enter_pin": "Please enter your PIN and press OK. Shield the keypad with your hand.",
    "pin_wrong": "The PIN was not correct. Please try again.",
    "pin_too_short": "Please enter all digits of your PIN.",
    "enter_pin_last_try": "Please enter your PIN. One more wrong PIN will lock your card.",
    "pin_wrong_last_try": "The PIN was not correct. One more wrong PIN will lock your card.",
    "pin_locked": "Your PIN is locked after too many wrong tries. Please see the counter.",
    "checking_pin": "Checking your PIN.",
    # accounts and queries
    "your_accounts": "Your accounts",
    "loading_accounts": "Fetching your accounts.",
    "loading_transactions": "Fetching your transactions.",
    "no_transactions": "There are no transactions in this period.",
    "range_7_days": "Last 7 days",
    "range_30_days": "Last 30 days",
    "range_90_days": "Last 3 months",
    "range_365_days": "Last 12 months",
    # statement
    "choose_statement_period": "Which period should the statement cover?",
    "period_last_month": "Last month",
    "period_last_3_months": "Last 3 months",
    "period_this_year": "This year",
    "period_last_year": "Last year",
    "loading_statement": "Preparing your statement.",
    "statement_preview": "Please check the statement before printing.",
    "printing_statement": "Printing your statement.",
    "statement_paper_out": "The printer ran out of paper part way through your statement. "
                           "Staff have been told and will put in a new roll.",
    "statement_resumes": "Your statement is kept. When the paper is in, touch Try again: it "
                         "goes on from the page where it stopped. Or touch End and ask for "
                         "your statement at the counter.",
    "printing_receipt": "Printing your receipt.",
    "printing_ticket": "Printing your ticket.",
    "issuing_ticket": "Taking a number for you.",
    "take_receipt_and_card": "Please take your receipt and your card.",
    "take_receipt": "Please take your receipt.",
    "take_card": "Please take your card.",
    "take_ticket": "Please take your ticket.",
    "take_idcard": "Please take your ID card.",
    # transfer
    "choose_payee": "Who would you like to send money to?",
    "enter_payee": "Enter the payee's account number and name.",
    "account_number_invalid": "This account number is not valid. Please check it.",
    "account_number_own_card": "This is the card you are using. Please choose another account.",
    "payee_name_missing": "Please enter the payee's name.",
    "checking_payee": "Checking the payee with the bank.",
    "confirm_payee": "Is this the person you mean to pay?",
    "payee_name_mismatch": "The name does not match this account. Please check it with the "
                           "payee.",
    "enter_amount": "Enter the amount.",
    "amount_invalid": "Please enter an amount greater than zero.",
    "amount_over_transaction_limit({limit})": "This is more than the limit for one transfer, "
                                              "{limit}.",
    "amount_over_daily_limit({limit})": "This is more than what you can still transfer today, "
                                        "{limit}.",
    "amount_over_available": "With the fee, this is more than the money available in the account.",
    "amount_over_balance": "This is more than the money available in the account.",
    "loading_limits": "Fetching your transfer limits.",
    "fraud_warning": "The bank, police or courts never ask you to move money to a 'safe "
                     "account'.",
    "fraud_warning_stranger": "Do you know this payee personally? Never pay someone you met "
                              "only online or by phone.",
    "fraud_warning_large": "This is a large amount. Scammers often rush their victims.",
    "fraud_hotline": "Told to pay by someone? Stop and call the anti-fraud hotline 96110.",
    "fraud_read_first": "Please read the warning first.",
    "confirm_transfer": "Please check the transfer and confirm.",
    "sending_transfer": "Sending your transfer. Please wait and do not remove your card.",
    "transfer_approved": "The transfer has been made.",
    "transfer_declined": "The transfer was not made.",
    "transfer_pending": "We could not confirm the transfer yet. If it did not go through, the "
                        "money will return to your account. Your receipt has the reference.",
    "transfer_held": "For your safety a member of staff must confirm this transfer. Please wait "
                     "here: they will come to you within a few minutes. Until then the money "
                     "stays in your account; if you leave, the transfer is not made.",
    # lost card
    "enter_lost_card_number": "Enter the number of the lost card.",
    "lost_card_confirm": "Report this card lost? It will be blocked at once, for 5 days.",
    "reporting_lost_card": "Reporting the card as lost.",
    "lost_card_reported": "The card is blocked. Please visit the counter within 5 days to make "
                          "the report permanent or replace the card.",
    "lost_card_not_yours": "This card does not belong to the ID card that was read.",
    # queue ticket
    "choose_ticket_service": "Which service do you need at the counter?",
    "ticket_general": "General counter services",
    "ticket_business": "Business and account services",
    "ticket_wealth": "Wealth management",
    "ticket_issued": "Here is your ticket. Please wait until your number is called.",
    "ticket_priority": "As a valued customer, you will be served with priority.",
    # help, timeouts, rating, goodbye
    "help_called": "A member of staff has been called and will come to you.",
    "help_unavailable": "Please go to the counter: staff could not be called from here.",
    "more_time": "Do you need more time?",
    "rate_service": "How satisfied were you with this service?",
    "thank_you": "Thank you. Goodbye.",
    "session_timed_out": "Your session ended because there was no activity.",
    "card_removed": "The card was removed, so your session has ended.",
    "idcard_removed": "The ID card was removed, so your session has ended.",
    # product suggestions (dismissible)
    "suggest_deposit": "Money waiting in your account could earn more in a time deposit. Ask "
                       "us about it.",
    "suggest_mobile_banking": "Next time you can transfer from your phone with mobile banking.",
    # faults: device and host failures, and their ways forward
    "device_unavailable": "This machine cannot do that right now. Please take a ticket for the "
                          "counter.",
    "card_reader_unavailable": "The card reader is not working. Please take a ticket for the "
                               "counter.",
    "idcard_reader_unavailable": "The ID card reader is not working. Please take a ticket for "
                                 "the counter.",
    "printer_unavailable": "The printer is not working, so nothing could be printed.",
    "printer_out_of_paper": "The printer has run out of paper. Staff have been told.",
    "print_failed": "Printing stopped part way. Staff have been told.",
    "host_unavailable": "We cannot reach the bank right now. Please try again or take a ticket.",
    "host_timeout": "The bank did not answer in time. Please try again.",
    "host_error": "Something went wrong at the bank. Please try again or take a ticket.",
    "way_retry": "Try again",
    "way_ticket": "Take a ticket for the counter",
    "way_call_staff": "Call staff",
    "way_end": "End",
    "way_back": "Back",
    "ticket_not_printed": "The ticket could not be printed: please note your number.",
    # host reasons (kiosk.host.link REASONS)
    "insufficient_funds": "There is not enough money in the account.",
    "limit_exceeded": "This is more than the limit for one transfer.",
    "daily_limit_exceeded": "This is more than your daily transfer limit.",
    "wrong_pin": "The PIN was not correct.",
    "card_unknown": "This card is not known to the bank. Please see the counter.",
    "account_unknown": "This account is not known to the bank.",
    "payee_unknown": "There is no account with this number. Please check it.",
    "id_mismatch": "The ID card does not belong to the holder of this card.",
    "not_permitted": "This is not possible with this card. Please see the counter.",
    "invalid_amount": "This amount cannot be transferred.",
    "transfer_reversed": "This transfer was cancelled by the bank.",
    "host_malformed": "The bank's answer could not be understood. Please try again later.",
    "held_for_review": "For your safety this transfer waits for a member of staff to confirm it.",
    "fraud_warning_not_acknowledged": "Please read and confirm the warning first.",
    "new_payee_not_acknowledged": "Please confirm that you know this new payee.",
    "recovery_incomplete": "Transfers are paused for a moment. Please try again shortly.",
    # voice guidance: what is said when a step comes up (kiosk/voice/prompts.py)
    "voice_attract": "Welcome. Touch the screen to begin. For spoken guidance with large "
                     "numbered buttons, press and hold the help button.",
    "voice_pin": "Please enter your PIN and press OK. Shield the keypad with your hand.",
    "voice_last_try": "Careful: one more wrong PIN will lock your card.",
    "voice_accounts": "Your accounts are on the screen.",
    "voice_available({amount})": "Available balance: {amount}.",
    "voice_transactions": "Your transactions are on the screen.",
    "voice_statement_period": "Choose the period for your statement.",
    "voice_statement_preview": "Check the statement, then press Print.",
    "voice_payee": "Choose a payee, or add a new one.",
    "voice_payee_entry": "Enter the payee's account number and name.",
    "voice_payee_check": "Check the payee's name and bank, then confirm.",
    "voice_amount": "Enter the amount to transfer.",
    "voice_amount_entered({amount})": "Amount: {amount}.",
    "voice_fraud_warning": "Anti-fraud warning. Please listen carefully.",
    "voice_transfer_confirm": "Please check the transfer and press Confirm to send it.",
    "voice_transfer_figures({amount},{fee})": "Amount {amount}, fee {fee}.",
    "voice_transfer_approved": "The transfer has been made.",
    "voice_transfer_pending": "The transfer is being processed.",
    "voice_transfer_amount({amount})": "You transferred {amount}.",
    "voice_lost_card_number": "Enter the number of the lost card.",
    "voice_lost_card_confirm": "Please confirm the loss report.",
    "voice_lost_card_result": "The card has been reported lost.",
    "voice_ticket_service": "Choose the service for your queue ticket.",
    "voice_ticket_issued": "Here is your queue ticket.",
    "voice_ticket_number({number},{waiting})": "Your number is {number}. {waiting} people are ahead of you.",
    "voice_printing": "Printing. Please wait.",
    "voice_more_time": "Do you need more time?",
    "voice_seconds_left({seconds})": "The session ends in {seconds} seconds.",
    "voice_help_called": "A member of staff is on the way. Please wait here.",
    "voice_rating": "Please rate our service.",
    "voice_goodbye": "Thank you for visiting. Goodbye.",
    "voice_accessible_on": "Spoken guidance is on. To choose, press a number key or touch the "
                           "numbered buttons at the left edge of the screen; the star key or "
                           "Repeat says this again, plus or minus sets the volume.",
    "voice_choice({n},{label})": "Press {n} for {label}.",
    "voice_pin_keypad": "Type your PIN on the number keys; 5 has a raised dot. Press Enter "
                        "when done. Nothing you type is shown or said.",
    "shield_hidden": "To keep your PIN and balances private, they are hidden while someone "
                     "else is close to the screen. They come back when you are alone.",
    "voice_onlooker": "Someone may be looking at your screen. Your PIN pad and balances are "
                      "hidden until you are alone.",
    "choice_print_balance": "Print a balance slip",
    "choice_finish": "Finish and take your card",
    "pad_softer": "Vol −",
    "pad_louder": "Vol +",
    "pad_repeat": "Again",
}

MESSAGE_IDS: tuple[str, ...] = tuple(DEFAULT_TEXT)


def text(message_id: str) -> str:
    """The English default for a message id (logs and the tour fall back to it)."""
    return DEFAULT_TEXT.get(message_id, message_id)
