#!/usr/bin/env bash
# What `fresh-debian-check -- deploy/check-fresh-install.sh` proves in a pristine Debian 12 root:
# a wheel built from the committed files installs with the operators' command, and the kiosk
# user runs `kiosk --version` and `kiosk diag --json` from outside any checkout, with the
# translations and the font there; the installed units pass `systemd-analyze verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "==> build the wheel"
python3 -m pip wheel -q --no-deps -w /tmp/dist .
echo "==> deploy/install.sh"
deploy/install.sh /tmp/dist/lobby_kiosk-*.whl
cd /
echo "==> as the kiosk user, from /"
id kiosk
runuser -u kiosk -- kiosk --version
rc=0; runuser -u kiosk -- kiosk diag --json > /tmp/diag.json || rc=$?
cat /tmp/diag.json
[ "$rc" = 0 ] || [ "$rc" = 2 ]    # 2: devices not plugged in, which a bare root cannot have
runuser -u kiosk -- /opt/kiosk/venv/bin/python -c '
import kiosk, kiosk.i18n as i, kiosk.resources as r
assert "/opt/kiosk/venv/" in kiosk.__file__, kiosk.__file__
assert i.translate("zh_CN", "Welcome") == "欢迎光临" and r.FONT.is_file()
print("translations and font:", i.translate("zh_CN", "Welcome"), r.FONT)'
stat -c '%a %U %n' /var/lib/kiosk /etc/kiosk/credentials /etc/kiosk/kiosk.toml
[ "$(stat -c %a /var/lib/kiosk)" = 700 ]
echo "==> systemd-analyze verify"
out=$(systemd-analyze verify /etc/systemd/system/kiosk-app.service \
        /etc/systemd/system/kiosk-host.service /etc/systemd/system/kiosk-console.service 2>&1)
[ -z "$out" ] || { echo "$out"; exit 1; }
systemctl is-enabled pcscd.socket kiosk-app.service
cat /etc/udev/rules.d/70-kiosk.rules
echo "fresh install: OK"
