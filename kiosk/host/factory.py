"""`open_host(config)`: the HostLink the configuration asks for."""
from __future__ import annotations

import logging

from .link import HostLink

log = logging.getLogger(__name__)


def open_host(config, journal=None) -> HostLink:
    """The embedded sandbox bank (seeded on first use) or the ISO 8583 link to [host] address.

    With a `journal` (kiosk.journal.Journal), every host exchange is journaled (`host.*` rows)."""
    host: HostLink
    if config.host.backend == "iso8583":
        from .iso8583_client import Iso8583Client
        log.info("host link: ISO 8583 to %s", config.host.address)
        host = Iso8583Client.from_config(config)
    else:
        from .sandbox import SandboxBank
        bank = SandboxBank.from_config(config)
        bank.seed()
        log.info("host link: sandbox bank %s", bank.path)
        host = bank
    if journal is None:
        return host
    from .journaled import JournaledHost
    return JournaledHost(host, journal)
