"""The kiosk core: configuration, session, flows, host link, journal, devices, alerts.

Never imports Kivy: every flow runs and is tested without a window.
"""
