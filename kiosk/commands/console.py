"""`kiosk console`: the staff console for every kiosk of a branch or region, from the broker.

    kiosk console --mqtt mqtt://broker:1883 [--listen 192.168.10.5:8080] [--branch 310101001]
        [--dsn "host=/run/postgresql dbname=fleet"]     # reports from the fleet service
    kiosk console --hash-password      # make a hash for [console.staff] or [technician] pin_hash
"""
from __future__ import annotations

import argparse
import getpass
import socket
import sys

from . import serve


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("console", help="serve the staff console for kiosks seen over MQTT")
    parser.add_argument("--config", help="configuration file (default: $KIOSK_CONFIG, else the built-in demo)")
    parser.add_argument("--mqtt", metavar="URL",
                        help="broker, e.g. mqtts://broker:8883 (default: [fleet] mqtt_url)")
    parser.add_argument("--listen", metavar="HOST:PORT",
                        help="address to serve on (default: [console] listen)")
    parser.add_argument("--branch", default="+",
                        help="only this branch's kiosks (default: every branch)")
    parser.add_argument("--dsn", help="the fleet service's PostgreSQL, for the availability "
                                      "and acknowledgement reports (default: [console] fleet_dsn)")
    parser.add_argument("--hash-password", action="store_true",
                        help="read a password or PIN and print its hash for the config file")
    parser.set_defaults(handler=run)


def _read_secret() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password or PIN: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two entries differ; nothing printed")
    return first


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.console.passwords import hash_password

    if args.hash_password:
        secret = _read_secret()
        if not secret:
            print("empty password: nothing to hash", file=sys.stderr)
            return 64
        print(hash_password(secret))
        return 0

    from kiosk.console.server import ConsoleServer
    from kiosk.console.store import ConsoleStore
    from kiosk.fleet.broker import BrokerAddress
    from kiosk.fleet.monitor import FleetMonitor

    try:
        config = load_config(args.config)
        address = BrokerAddress.from_config(config, args.mqtt or "")
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 64
    tls_ca = str(config.path(config.fleet.tls_ca)) if config.fleet.tls_ca else ""
    store = ConsoleStore(config.path(config.console.database))
    monitor = FleetMonitor(address, prefix=config.fleet.topic_prefix, branch=args.branch,
                           history_store=store,
                           tls_ca=tls_ca, history_limit=config.console.history_limit,
                           command_timeout_s=config.console.command_timeout_s,
                           client_id=f"console-{socket.gethostname()}-{args.branch}"
                           .replace("+", "all"))
    try:
        server = ConsoleServer.from_config(monitor, config, listen=args.listen or "",
                                           store=store, fleet_dsn=args.dsn or "")
    except (OSError, ValueError) as exc:
        print(f"cannot serve the console: {exc}", file=sys.stderr)
        return 69

    def start() -> None:
        monitor.start()
        server.start()
        print(f"staff console for {address} on {server.url} (Ctrl-C to stop)", flush=True)
    return serve(start, server.stop, monitor.stop, store.close)
