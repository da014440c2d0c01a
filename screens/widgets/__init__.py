"""Widgets shared by the screens: header, buttons, keypad, dialogs."""
