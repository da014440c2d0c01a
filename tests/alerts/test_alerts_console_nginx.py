"""The staff console behind Debian's nginx with the shipped configuration: TLS at nginx, the
console on loopback in plain HTTP (allowed in production only there), Secure cookies and the
staff member's address through X-Forwarded-*, live updates not held back by the proxy."""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port
from .test_alerts_console import PASSWORD, STAFF, _login, _NoRedirect, _request
from .test_alerts_console_attacks import _self_signed, center, serve  # noqa: F401 (fixtures)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "kiosk-console.conf"
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")


@pytest.fixture
def nginx(tmp_path):
    """Start nginx in the foreground with the shipped server block; returns (url, cert)."""
    def start(upstream: str) -> tuple[str, str]:
        cert, key = _self_signed(tmp_path)
        port = free_port()
        site = SHIPPED.read_text()
        for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
                         ("/etc/kiosk/console.crt", cert), ("/etc/kiosk/console.key", key),
                         ("http://127.0.0.1:8080", upstream)):
            assert old in site, old
            site = site.replace(old, new)
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\n"
            f"error_log {tmp_path}/error.log warn;\nevents {{ worker_connections 64; }}\n"
            f"http {{\naccess_log off;\nclient_body_temp_path {tmp_path}/body;\n"
            f"proxy_temp_path {tmp_path}/proxy;\n{site}\n}}\n")
        procs.append(subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf),
                                       "-e", f"{tmp_path}/error.log"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        deadline = time.monotonic() + 5
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return f"https://127.0.0.1:{port}", cert
            except OSError:
                assert procs[-1].poll() is None, procs[-1].stderr.read().decode()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.02)
    procs: list[subprocess.Popen] = []
    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(5)


def test_console_behind_nginx_tls_with_secure_cookies_and_live_updates(serve, center, nginx):
    server = serve(require_tls=True)   # production profile, plain HTTP on loopback only
    url, cert = nginx(server.url)
    context = ssl.create_default_context(cafile=cert)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect,
        urllib.request.HTTPSHandler(context=context))
    status, headers, _ = _login(url, opener, STAFF, PASSWORD)
    assert status == 303 and "; Secure" in headers["Set-Cookie"]
    # a wrong password from another address: the console sees that address, not nginx's
    port = int(url.rsplit(":", 1)[1])
    other = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context,
                                        source_address=("127.0.0.5", 0))
    other.request("GET", "/login")
    form = other.getresponse()
    token = form.read().decode().split('name="csrf" value="')[1].split('"')[0]
    other.request("POST", "/login", urllib.parse.urlencode(
        {"user": STAFF, "password": "guess", "csrf": token}),
        {"Content-Type": "application/x-www-form-urlencoded",
         "Cookie": form.getheader("Set-Cookie").split(";")[0]})
    assert other.getresponse().status == 401
    other.close()
    logins = {(r["outcome"], r["detail"]) for r in server.store.audit_rows()
              if r["action"] == "login"}
    assert logins == {("ok", "127.0.0.1"), ("failed", "127.0.0.5")}
    assert _request(url + "/api/state", opener=opener)[0] == 200

    # server-sent events through the proxy: a new alert arrives at once, not when a buffer fills
    cookie = headers["Set-Cookie"].split(";")[0]
    link = http.client.HTTPSConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=5,
                                       context=context)
    link.request("GET", "/api/events", headers={"Cookie": cookie})
    stream = link.getresponse()
    assert stream.status == 200 and "event-stream" in stream.getheader("Content-Type")
    assert stream.readline().startswith(b"event: snapshot")
    while stream.readline().strip():
        pass
    started = time.monotonic()
    alert = center.raise_help("lost card")
    while True:
        line = stream.readline()
        if line.startswith(b"data: ") and alert.alert_id.encode() in line:
            break
    assert time.monotonic() - started < 1.0
    assert json.loads(line[6:])["kiosks"][0]["alerts"][0]["alert_id"] == alert.alert_id
    link.close()

    plain = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=3)
    plain.request("GET", "/login")
    assert plain.getresponse().status == 400   # nginx: plain HTTP sent to an HTTPS port
