#!/bin/sh
# SMART smartstatus for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
# Reads K/TE's /sysmon/metrics with its Date header and {% if upload %}uploads them to SMART{% else %}keeps them{% endif %}. Secrets: kte-metrics.cfg, smart.cfg.
set -u
umask 077
DIR=$(cd "$(dirname "$0")" && pwd)
NAME='{{ s.name }}'
KTE='{{ s.kte_url }}'
API='{{ api_url }}'
KEEP={{ s.keep }}
UPLOAD={% if upload %}1{% else %}0{% endif %}
OUT="$DIR/reports"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
cd "$DIR" || exit 1
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) smartstatus: $*" >> "$DIR/smartagent.log"; }

file="$OUT/$NAME-$STAMP.status"
rm -f "$DIR/headers.part" "$DIR/metrics.part"
code=$(curl -sS -K "$DIR/kte-metrics.cfg" -A smartdownload --max-time 60 -D "$DIR/headers.part" \
  -o "$DIR/metrics.part" -w '%{http_code}' "$KTE/sysmon/metrics")
rc=$?
if [ "$rc" = 0 ] && [ "$code" = 404 ]; then  # K/TE older than 6.4.5.127: the legacy page, no sign-in
  code=$(curl -sS -A smartdownload --max-time 60 -D "$DIR/headers.part" -o "$DIR/metrics.part" \
    -w '%{http_code}' "$KTE/sysinfo/metrics")
  rc=$?
fi
if [ "$rc" != 0 ]; then
  log "K/TE at $KTE is unreachable: curl exit $rc"
  printf '# smartstatus: K/TE at %s did not answer (curl exit %s)\nkserver_up 0\n' "$KTE" "$rc" > "$file"
elif [ "$code" != 200 ]; then
  # An error page is not metrics: K/TE answered, the metrics did not come (wrong password, no right).
  log "K/TE answered HTTP $code to the metrics request"
  { grep -i '^date:' "$DIR/headers.part" | tr -d '\r'; printf '# smartstatus: K/TE answered HTTP %s\nkserver_up 1\n' "$code"; } > "$file"
else
  { grep -i '^date:' "$DIR/headers.part" | tr -d '\r'; cat "$DIR/metrics.part"; } > "$file"
fi
rm -f "$DIR/headers.part" "$DIR/metrics.part"
ls -1t "$OUT"/*.status 2>/dev/null | tail -n +$((KEEP + 1)) | while IFS= read -r old; do rm -f "$old"; done
[ "$UPLOAD" = 1 ] || exit 0
answer=$(curl -sS -K "$DIR/smart.cfg" --max-time 300 -w ' HTTP %{http_code}' -F "file=@$file;filename=$NAME.status" "$API") \
  || { log "upload failed: curl exit $?"; exit 1; }
log "uploaded $NAME.status: $answer"
case "$answer" in *"HTTP 200"|*"HTTP 202") exit 0 ;; *) exit 1 ;; esac
