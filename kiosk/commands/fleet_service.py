"""`kiosk fleet-service`: consume every kiosk's status and events from the broker into
PostgreSQL. Run several (distinct --id) to share the load.

    kiosk fleet-service --mqtt mqtts://broker:8883 --dsn "host=/run/postgresql dbname=fleet" \
        [--id fleet-1]
    kiosk fleet-service --dsn ... --report day|week|month [--by kiosk|branch]   # availability
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from . import serve

_PERIODS = {"day": 86_400, "week": 7 * 86_400, "month": 30 * 86_400}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("fleet-service", help="store the fleet's statuses and events in "
                                                  "PostgreSQL")
    parser.add_argument("--config", help="configuration file (default config/kiosk.toml)")
    parser.add_argument("--mqtt", metavar="URL", help="broker (default: [fleet] mqtt_url)")
    parser.add_argument("--dsn", required=True, help="PostgreSQL connection string")
    parser.add_argument("--id", default="fleet-1", help="this consumer's MQTT client id")
    parser.add_argument("--report", choices=sorted(_PERIODS),
                        help="print availability over the last day, week or month (JSON)")
    parser.add_argument("--by", choices=("kiosk", "branch"), default="kiosk")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.fleet.broker import BrokerAddress
    from kiosk.fleet.service import FleetService, FleetStore

    try:
        config = load_config(args.config)
        address = BrokerAddress.from_config(config, args.mqtt or "")
        store = FleetStore(args.dsn, notify_min_severity=config.notify.min_severity)
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 64
    except Exception as exc:  # psycopg.OperationalError and friends
        print(f"cannot open the fleet database: {exc}", file=sys.stderr)
        return 69
    if args.report:
        now = time.time()
        print(json.dumps(store.availability(now - _PERIODS[args.report], now, by=args.by),
                         ensure_ascii=False, indent=1, sort_keys=True))
        store.close()
        return 0
    tls_ca = str(config.path(config.fleet.tls_ca)) if config.fleet.tls_ca else ""
    service = FleetService(address, store, prefix=config.fleet.topic_prefix, client_id=args.id,
                           tls_ca=tls_ca)
    notifier = _notifier(config, store) if config.notify.enabled else None

    def start() -> None:
        service.start()
        if notifier is not None:
            notifier.start()
        link = "connected" if service.wait_connected(10) else "waiting for the broker"
        print(f"fleet service {args.id}: {address} ({link}) -> PostgreSQL", flush=True)
    return serve(start, *([notifier.stop] if notifier is not None else []), service.stop,
                 store.close)


def _notifier(config: Any, store: Any) -> Any:
    from kiosk.alerts.notify import StaffNotifier, WeComBot
    from kiosk.alerts.notify_central import GroupNotifier

    n = config.notify
    robots: dict[str, Any] = {b: WeComBot(url) for b, url in n.branch_webhooks.items()}
    default = StaffNotifier.from_config(n).channels
    if default:
        robots["*"] = default[0]
    if n.region_webhook:
        robots["region"] = WeComBot(n.region_webhook)
    return GroupNotifier(store, robots, per_minute=n.per_robot_per_minute,
                         timeout_s=n.timeout_s, retries=n.retries,
                         escalate_after_s=tuple(n.escalate_after_s), language=n.language,
                         branch_languages=n.branch_languages)
