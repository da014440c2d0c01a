"""Sub-commands of the `kiosk` command line; each module offers `register(subparsers)`."""

COMMAND_MODULES = ("run", "tour", "diag", "host", "journal", "eod", "console", "fleet_service")
