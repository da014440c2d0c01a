"""The staff console: a login-protected web page with live alerts and device status.

`server.ConsoleServer` serves a `ConsoleSource`: `local.LocalSource` for this kiosk, or
`kiosk.fleet.monitor.FleetMonitor` for every kiosk of a branch or region seen over MQTT.
"""
