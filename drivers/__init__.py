"""Device drivers: one package per device kind (chipcard, idcard, printer, barcode)."""
