#!/bin/sh
# One-line install of the SMART agent for {{ s.name }}: sudo sh install.sh
set -eu
SRC=$(cd "$(dirname "$0")" && pwd)
DEST='{{ dir }}'
command -v curl >/dev/null || { echo "curl is required (apt-get install curl / dnf install curl)" >&2; exit 1; }
(cd "$SRC" && sha256sum -c --quiet SHA256SUMS) || { echo "a bundle file was changed: SHA256SUMS does not match" >&2; exit 1; }
id smartagent >/dev/null 2>&1 || useradd --system --home-dir "$DEST" --shell /usr/sbin/nologin smartagent
mkdir -p "$DEST/reports"
for f in smartupload.sh smartstatus.sh smart.cfg kte-login.cfg kte-metrics.cfg README.txt SHA256SUMS; do
  cp "$SRC/$f" "$DEST/$f"
done
chown -R smartagent: "$DEST"
chmod 0700 "$DEST" "$DEST/reports"
chmod 0600 "$DEST/smart.cfg" "$DEST/kte-login.cfg" "$DEST/kte-metrics.cfg"
chmod 0755 "$DEST/smartupload.sh" "$DEST/smartstatus.sh"
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for u in smartagent-upload.service smartagent-upload.timer smartagent-status.service smartagent-status.timer; do
    cp "$SRC/$u" /etc/systemd/system/$u
  done
  systemctl daemon-reload
  systemctl enable --now smartagent-upload.timer smartagent-status.timer
  echo "SMART agent installed in $DEST; timers: systemctl list-timers 'smartagent-*'"
else
  crontab -u smartagent "$SRC/crontab.txt"
  echo "SMART agent installed in $DEST; cron: crontab -u smartagent -l"
fi
