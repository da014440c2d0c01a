"""The customer session: state machine, customer data, timeouts and the service flows.

Screens use `Session` (machine.py), `State`/`Step`/`VIEW_KEYS` (states.py) and the message ids
in `messages.MESSAGE_IDS`. Nothing here imports Kivy.

| module | job |
|---|---|
| machine.py | `Session`: the customer's lifecycle (start, serve, end and wipe, rating, goodbye), global actions |
| engine.py | `StepEngine`: the current state, its handlers and timer, listeners, snapshot and restore |
| worker.py | the session's threads: jobs, journal rows and device events, never on the caller's thread |
| routing.py | device events (card in/out, ID card, codes, status) to the session and its flow |
| context.py | `SessionContext`: what a flow may read and do; `Catalogue`: the flows a session offers |
| help_call.py | the help button: alert staff, then back to the step the customer was on |
| states.py | the steps, each step's view-model keys and actions, `State` |
| messages.py | every message id with its English default |
| failures.py | device and host failures as a message id and the ways forward |
| customer.py | `CustomerData`, everything known about the customer, and its wipe |
| clock.py | real time, or `ManualClock` for tests |
| services.py | the parts a session uses (host, devices, journal, print queue, alerts, transfers) |
| flow.py | base of the service flows: identification first, then the service |
| menu.py | `MENU`, the catalogue: the service menu, triaged like the greeter (here, counter, wealth manager) |
| identify.py | bank card (then pin_entry.py: the PIN on a shuffled keypad), ID card, appointment code |
| accounts.py, transactions.py, statement.py | balances, transaction query, statements |
| transfer.py | amount, anti-fraud warning, confirm, send, result, receipt (payee.py: the payee steps) |
| rules.py | the lengths and checks of what a customer types, and the fee view, for flows and screens |
| lost_card.py | temporary loss report with ID card and card number, receipt |
| ticket.py, ticket_queue.py | queue tickets: service, priority, wait, printed ticket, form QR |
| printing.py | printing with progress, resume after a paper-out, the take-your-receipt reminder |
"""
