#!/usr/bin/env bash
# Set up this checkout on Debian 12 and run the kiosk or its tests.
#   scripts/dev.sh run [kiosk run options]   install, start pcscd, run the kiosk on emulated devices
#   scripts/dev.sh test [pytest options]     install, start pcscd, run the test suite
# Second runs skip what is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"; shift || true
case "$mode" in run|test) ;; *) echo "usage: scripts/dev.sh run|test [args...]" >&2; exit 64 ;; esac

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_RUN=(python3 python3-venv python3-dev gcc pkg-config ca-certificates
         pcscd libpcsclite-dev vsmartcard-vpcd libzbar0 libgl1 libegl1 libmtdev1
         socat gettext espeak-ng opencv-data)
APT_TEST=(mosquitto chromium chromium-driver procps fonts-wqy-microhei postgresql nginx)
packages=("${APT_RUN[@]}")
[ "$mode" = test ] && packages+=("${APT_TEST[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The virtual environment: rebuilt only when pyproject.toml changes.
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)-$mode
if [ ! -x .venv/bin/python ]; then
  echo "==> python3 -m venv .venv"
  python3 -m venv .venv
fi
if [ ! -e "$stamp" ]; then
  echo "==> pip install -e .[test]"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi

# pcscd serves the emulated chip card (vsmartcard-vpcd); only one may run per machine.
if ! pgrep -x pcscd >/dev/null 2>&1; then
  echo "==> starting pcscd"
  mkdir -p var/log
  $SUDO sh -c 'pcscd --foreground </dev/null >>var/log/pcscd.log 2>&1 &'
  for _ in $(seq 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
fi

if [ "$mode" = run ]; then
  exec .venv/bin/kiosk run "$@"
fi
export SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_NO_CONSOLELOG=1 KIVY_NO_FILELOG=1
exec .venv/bin/python -m pytest "$@"
