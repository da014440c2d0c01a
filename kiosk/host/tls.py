"""Mutual TLS for the ISO 8583 link: both ends show a certificate signed by the bank's CA.

The terminal's identity is its certificate's common name; the host checks it against field 41
of every request, so a terminal cannot speak for another one.
"""
from __future__ import annotations

import ssl
from pathlib import Path


def client_context(ca: str | Path, cert: str | Path, key: str | Path) -> ssl.SSLContext:
    """The kiosk's side: trust only the bank's CA, check the host's name, show our certificate."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context


def server_context(ca: str | Path, cert: str | Path, key: str | Path) -> ssl.SSLContext:
    """The host's side: a client certificate signed by the CA is required."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(str(cert), str(key))
    return context


def peer_terminal_id(sock: ssl.SSLSocket) -> str:
    """The common name of the (already verified) peer certificate; "" if there is none."""
    cert = sock.getpeercert() or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return ""
