#!/usr/bin/env bash
# Install a built kiosk release on a Debian 12 machine as a real kiosk (run as root):
#   deploy/install.sh dist/lobby_kiosk-<version>-py3-none-any.whl
# - apt: Python, pcscd (enabled), the libraries the wheels need, espeak-ng for the voice;
# - a `kiosk` system user in dialout, plugdev, video (serial devices, USB, the display);
# - the package in its own virtual environment /opt/kiosk/venv, `kiosk` on PATH;
# - /etc/kiosk: kiosk.toml (the production example, if none is there yet: fill it in),
#   devices.conf (USB identities), credentials/ and keys/ (root only, 0700/0600);
# - /var/lib/kiosk, the data folder: 0700, its files 0600, owned by kiosk;
# - udev rules for stable device names (/dev/kiosk/*), the systemd units (kiosk-app enabled).
# Running it again upgrades the package and keeps every file a branch has filled in.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
wheel="${1:?usage: deploy/install.sh PATH/TO/lobby_kiosk-*.whl}"
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 77; }
[ -f "$wheel" ] || { echo "install.sh: no wheel at $wheel" >&2; exit 66; }

PREFIX=/opt/kiosk
ETC=/etc/kiosk
DATA=/var/lib/kiosk
APT=(python3 python3-venv ca-certificates pcscd libpcsclite1 libzbar0 libgl1 libegl1 libgbm1
     libdrm2 libmtdev1 espeak-ng udev systemd
     python3-dev gcc pkg-config libpcsclite-dev)   # the last line builds pyscard's extension

echo "==> apt-get install"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${APT[@]}" >/dev/null

echo "==> kiosk user"
for group in dialout plugdev video input render; do getent group "$group" >/dev/null || groupadd --system "$group"; done
if ! id kiosk >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin kiosk
fi
usermod -a -G dialout,plugdev,video,input,render kiosk

echo "==> $PREFIX/venv"
[ -x "$PREFIX/venv/bin/python" ] || python3 -m venv "$PREFIX/venv"
"$PREFIX/venv/bin/python" -m pip install -q --upgrade pip
"$PREFIX/venv/bin/python" -m pip install -q --upgrade --force-reinstall --no-deps "$wheel"
"$PREFIX/venv/bin/python" -m pip install -q "$wheel"
chown -R root:root "$PREFIX"; chmod -R go-w "$PREFIX"
install -m 0755 /dev/stdin /usr/local/bin/kiosk <<'SH'
#!/bin/sh
# the installed kiosk, reading the site's configuration unless told otherwise
: "${KIOSK_CONFIG:=/etc/kiosk/kiosk.toml}"
export KIOSK_CONFIG
exec /opt/kiosk/venv/bin/kiosk "$@"
SH

echo "==> $ETC"
install -d -m 0750 -o root -g kiosk "$ETC"
install -d -m 0700 -o root -g root "$ETC/credentials" "$ETC/keys" "$ETC/host"
if [ ! -e "$ETC/kiosk.toml" ]; then
  "$PREFIX/venv/bin/python" - "$ETC/kiosk.toml" <<'PY'
import shutil, sys
from kiosk.config import PRODUCTION_EXAMPLE
shutil.copyfile(PRODUCTION_EXAMPLE, sys.argv[1])
PY
  echo "    $ETC/kiosk.toml: the production example; change every line marked CHANGE"
fi
chown root:kiosk "$ETC/kiosk.toml"; chmod 0640 "$ETC/kiosk.toml"
[ -e "$ETC/devices.conf" ] || install -m 0644 "$here/udev/devices.conf" "$ETC/devices.conf"

echo "==> $DATA"
install -d -m 0700 -o kiosk -g kiosk "$DATA"
install -d -m 0700 -o kiosk -g kiosk "$DATA-audit"   # journal checkpoints ([journal] checkpoints)
find "$DATA" -mindepth 1 -type d -exec chmod 0700 {} + -exec chown kiosk:kiosk {} +
find "$DATA" -type f -exec chmod 0600 {} + -exec chown kiosk:kiosk {} +

echo "==> udev rules, systemd units"
"$here/udev/render-rules.sh" "$ETC/devices.conf" > /etc/udev/rules.d/70-kiosk.rules
install -m 0644 "$here"/systemd/kiosk-*.service /etc/systemd/system/
systemctl enable pcscd.socket kiosk-app.service >/dev/null 2>&1 || \
  echo "    systemctl enable failed (no systemd here?): enable pcscd.socket and kiosk-app.service"
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  udevadm control --reload && udevadm trigger --subsystem-match=tty --subsystem-match=video4linux || true
fi
echo "==> installed $("$PREFIX/venv/bin/kiosk" --version)"
echo "    next: fill in $ETC/kiosk.toml and $ETC/devices.conf (rerun this script after changing it),"
echo "    put each credential:NAME the config names in $ETC/credentials/NAME (0600) and the keys in"
echo "    $ETC/keys (see kiosk/keys.py), then: systemctl start kiosk-app"
