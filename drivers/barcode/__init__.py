"""Barcode and QR input: cameras decoded with pyzbar, serial scanners."""
