"""Barcode and QR input: cameras (OpenCV capture, zbar decoding) and serial scanners.

Both deliver CodeReadEvent (base.py); the text is untrusted and parsed by drivers.barcode.scanned_codes.
camera.py / decoder.py: the camera pipeline; serial_scanner.py: line-framed scanners;
camera_emulator.py / scanner_emulator.py: emulators over the real transports; reading.py:
shared helpers; code_images.py / samples.py: drawn codes and the sample payloads.
"""
