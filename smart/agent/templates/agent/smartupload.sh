#!/bin/sh
# SMART smartupload for {{ s.name }} ({{ s.client }}), generated {{ generated }}.
# Builds K/TE's sysinfo report and {% if upload %}uploads it to SMART{% else %}keeps it for the trip out of the closed network{% endif %}. Secrets: kte-login.cfg, smart.cfg (curl -K).
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
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) smartupload: $*" >> "$DIR/smartagent.log"; }

keep_newest() {  # keep the newest $KEEP timestamped copies of one kind
  ls -1t "$OUT"/*."$1" 2>/dev/null | tail -n +$((KEEP + 1)) | while IFS= read -r old; do rm -f "$old"; done
}

send() {  # upload one file under the name SMART expects; a refusal is logged with SMART's reason
  [ "$UPLOAD" = 1 ] || return 0
  code=$(curl -sS -K "$DIR/smart.cfg" --max-time 600 -o "$DIR/answer.json" -w '%{http_code}' \
    -F "file=@$1;filename=$2" "$API") || { log "upload of $2 failed: curl exit $?"; return 1; }
  case "$code" in
    200|202) log "uploaded $2: $(cat "$DIR/answer.json")" ;;
    *) log "SMART refused $2 (HTTP $code): $(cat "$DIR/answer.json")"; return 1 ;;
  esac
}

unreachable() {  # K/TE did not answer: say so instead of staying silent (R-C17)
  log "K/TE at $KTE is unreachable: $1"
  file="$OUT/$NAME-$STAMP.status"
  printf '# smartupload: K/TE at %s did not answer (%s)\nkserver_up 0\n' "$KTE" "$1" > "$file"
  keep_newest status
  send "$file" "$NAME.status"
  exit 1
}

fetch() {  # one request to K/TE: $1 what, $2 the HTTP codes that mean success; the rest are curl's arguments
  what=$1; want=$2; shift 2
  code=$(curl -sS --fail-with-body -A smartdownload -w '%{http_code}' "$@")
  rc=$?
  case $rc in
    0) ;;
    22) refused "$what" "HTTP $code" ;;
    *) unreachable "$what failed, curl exit $rc" ;;
  esac
  case " $want " in *" $code "*) return 0 ;; esac
  refused "$what" "HTTP $code instead of $want (wrong account or rights?)"
}

refused() {  # K/TE answered, but not with a report: nothing is uploaded (an error page is not a report)
  log "K/TE refused the $1 request ($2): nothing is uploaded"
  rm -f "$DIR/sysinfo.part" "$DIR/cookies.txt"
  exit 1
}

rm -f "$DIR/cookies.txt" "$DIR/sysinfo.part"
# Sign in (no redirect is followed: the main page would take a licence seat), then build the report.
fetch sign-in "302 303" -K "$DIR/kte-login.cfg" -c "$DIR/cookies.txt" --max-time 60 -o /dev/null "$KTE/users/login"
fetch sysinfo 200 -b "$DIR/cookies.txt" -d type=zip --max-time 1800 -o "$DIR/sysinfo.part" "$KTE/sysinfo/si_save_request"
curl -sS -A smartdownload -b "$DIR/cookies.txt" --max-time 30 -o /dev/null "$KTE/users/logout" || true
rm -f "$DIR/cookies.txt"
file="$OUT/$NAME-$STAMP.zip"
mv "$DIR/sysinfo.part" "$file"
keep_newest zip
send "$file" "$NAME.zip"
