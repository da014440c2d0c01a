"""Resident ID card readers (serial SAM protocol)."""
