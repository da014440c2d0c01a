#!/bin/sh
# Print udev rules for the devices listed in a devices.conf (see deploy/udev/devices.conf).
#   deploy/udev/render-rules.sh /etc/kiosk/devices.conf > /etc/udev/rules.d/70-kiosk.rules
set -eu
conf="${1:?usage: render-rules.sh DEVICES.CONF}"

value() {  # the value of KEY in the file, comments and blanks stripped
  sed -n "s/^[[:space:]]*$1=\\([^#[:space:]]*\\).*/\\1/p" "$conf" | tail -n 1
}

echo "# Stable names for the kiosk's devices; made from $conf by render-rules.sh."
for device in idcard printer scanner camera; do
  upper=$(echo "$device" | tr a-z A-Z)
  vendor=$(value "${upper}_VENDOR"); product=$(value "${upper}_PRODUCT"); serial=$(value "${upper}_SERIAL")
  [ -n "$vendor" ] || continue
  for v in "$vendor" "$product"; do
    case "$v" in [0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;;
      *) echo "render-rules.sh: ${upper}: '$v' is not 4 hex digits" >&2; exit 65 ;; esac
  done
  case "$serial" in *[!A-Za-z0-9._-]*) echo "render-rules.sh: ${upper}_SERIAL: '$serial' has characters udev cannot match" >&2; exit 65 ;; esac
  match="ATTRS{idVendor}==\"$vendor\", ATTRS{idProduct}==\"$product\""
  [ -z "$serial" ] || match="$match, ATTRS{serial}==\"$serial\""
  if [ "$device" = camera ]; then
    echo "SUBSYSTEM==\"video4linux\", $match, ATTR{index}==\"0\", SYMLINK+=\"kiosk/$device\", GROUP=\"video\", MODE=\"0660\""
  else
    echo "SUBSYSTEM==\"tty\", $match, SYMLINK+=\"kiosk/$device\", GROUP=\"dialout\", MODE=\"0660\""
  fi
done
