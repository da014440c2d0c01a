"""HOST:PORT addresses and URLs as the configuration writes them."""
from __future__ import annotations

from urllib.parse import urlsplit


def parse_host_port(text: str) -> tuple[str, int]:
    """("host", port) from "host:port" or "[v6]:port"; ValueError names what is wrong."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535 \
            or any(c.isspace() or c in "/@?#" for c in host):
        raise ValueError(f"address {text!r} is not HOST:PORT")
    return host, int(port)


def url_problem(text: str, schemes: tuple[str, ...]) -> str | None:
    """What a URL with one of `schemes` and a host should look like, or None when it is one."""
    expected = f"a URL like {schemes[0]}://host/... ({' or '.join(schemes)}, with a host)"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return expected
    if parts.scheme not in schemes or not parts.hostname or any(c.isspace() for c in text):
        return expected
    return None
