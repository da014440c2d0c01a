"""Printed documents (receipt, balance slip, statement, queue ticket, end-of-day report).

They are printer-independent pages of blocks; drivers/printer renders them to ESC/POS.
"""
