"""The customer session: state machine, customer data, timeouts and the service flows.

Screens use `Session` (kiosk.session.machine), `State`/`Step`/`VIEW_KEYS` (states) and the
message ids in `messages.MESSAGE_IDS`. Nothing here imports Kivy.
"""
