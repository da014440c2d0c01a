"""The `kiosk` command: the core's commands (kiosk/cli.py) and the two that open a window,
`kiosk run` and `kiosk tour` (screens/commands). Kivy is imported only when one of those runs."""
from __future__ import annotations

import sys

from kiosk import cli

WINDOW_COMMANDS = ("screens.commands.run", "screens.commands.tour")


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, extra=WINDOW_COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
