"""The Kivy skin: one .py + .kv per screen over the session state machine in kiosk/."""
