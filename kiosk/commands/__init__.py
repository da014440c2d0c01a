"""Sub-commands of the `kiosk` command line; each module offers `register(subparsers)`."""

COMMAND_MODULES = ("diag", "host", "journal", "eod", "console", "fleet_service", "technician")
# run and tour open a window: they are in screens/commands (the `kiosk` script is screens/cli.py)
