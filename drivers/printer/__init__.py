"""Receipt printers (ESC/POS over serial)."""
