"""The fleet link to a broker that wants a password and speaks TLS, as in production."""
from __future__ import annotations

import datetime as dt
import ipaddress
import subprocess
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.alerts import AlertCenter
from kiosk.config import load_config
from kiosk.fleet.publisher import FleetPublisher

from .conftest import Mosquitto

pytestmark = pytest.mark.mqtt


def _cert(subject: str, key, issuer_key, issuer_name, ca: bool):
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer_name or x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                                         subject)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def secure_broker(tmp_path):
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca = _cert("test fleet CA", ca_key, ca_key, None, ca=True)
    server = _cert("127.0.0.1", server_key, ca_key, ca.subject, ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "server.pem").write_bytes(server.public_bytes(pem))
    (tmp_path / "server.key").write_bytes(server_key.private_bytes(
        pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(tmp_path / "passwd"), "KSK-T8",
                    "right-pass-91"], check=True, capture_output=True)
    broker = Mosquitto(tmp_path, tls=True, extra=(
        f"allow_anonymous false\npassword_file {tmp_path}/passwd\n"
        f"cafile {tmp_path}/ca.pem\ncertfile {tmp_path}/server.pem\n"
        f"keyfile {tmp_path}/server.key\n"))
    broker.start()
    yield broker
    broker.stop()


def _publisher(tmp_path, broker, password: str):
    (tmp_path / f"{password}.toml").write_text(
        f'[kiosk]\nid = "KSK-T8"\ndata_dir = "{tmp_path}/{password}"\n'
        f'[alerts]\noutbox = "{password}/alerts.db"\n'
        f'[fleet]\nenabled = true\nmqtt_url = "{broker.url}"\nusername = "KSK-T8"\n'
        f'password = "{password}"\ntls_ca = "ca.pem"\n', encoding="utf-8")
    config = load_config(tmp_path / f"{password}.toml")
    center = AlertCenter.from_config(config)
    return center, FleetPublisher.from_config(center, config)


def test_password_and_tls_from_config(tmp_path, secure_broker):
    good, bad = _publisher(tmp_path, secure_broker, "right-pass-91"), \
        _publisher(tmp_path, secure_broker, "wrong-pass-00")
    for _, fleet in (good, bad):
        fleet.start()
    try:
        assert good[1].wait_connected(5), "no TLS + password connection"
        good[0].raise_help("testing the secure link")
        assert good[1].wait_drained(5)
        time.sleep(0.3)
        assert not bad[1].connected and bad[0].outbox.unsent_count() == 0
        bad[0].raise_help("never leaves")
        time.sleep(0.3)
        assert bad[0].outbox.unsent_count() == 1  # kept for when the credentials are fixed
    finally:
        for center, fleet in (good, bad):
            fleet.stop()
            center.close()
