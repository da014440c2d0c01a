"""The commands that open a window (`kiosk run`, `kiosk tour`): they live in the skin because
they need Kivy; screens/cli.py adds them to the core's commands."""
