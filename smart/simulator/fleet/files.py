"""Writing a fleet's uploads to disk, one folder per installation, and the script that uploads them.

Stored names carry the run instant in UTC (`<NAME>/<NAME>-20261126T1007.zip`); the server identifies
the installation by the uploaded file's stem, so upload.sh copies each file to `<NAME>.zip` (or
`.status`) before sending it with the legacy curl contract.
"""
import shlex
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .fleet import Fleet

UTC = timezone.utc


def stored_name(name: str, instant: datetime, kind: str) -> str:
    stamp = instant.astimezone(UTC).strftime("%Y%m%dT%H%M")
    return f"{name}-{stamp}.{'zip' if kind == 'sysinfo' else 'status'}"


def write_installation(fleet_args: dict, i: int, out: str, start: datetime, end: datetime,
                       every: timedelta | None, status_every: timedelta | None, thin: bool) -> list:
    """Write installation i's uploads in [start, end) under `out`; returns [(instant ISO, relative path,
    upload name, size)]. Builds its own Fleet so it can run in a worker process."""
    fleet = Fleet(**fleet_args)
    name = fleet.name(i)
    folder = Path(out) / name
    folder.mkdir(parents=True, exist_ok=True)
    if thin:
        months = (end - start).total_seconds() / (30.44 * 86400)
        items = fleet.thin_history(i, end, months=months)
    else:
        items = fleet.history(i, start, end, every=every, status_every=status_every)
    rows = []
    for instant, kind, upload_name, data in items:
        if instant < start:
            continue
        relative = f"{name}/{stored_name(name, instant, kind)}"
        (Path(out) / relative).write_bytes(data)
        rows.append((instant.astimezone(UTC).isoformat(), relative, upload_name, len(data)))
    return rows


def upload_script(rows: list) -> str:
    """A POSIX shell script that uploads every file in time order with the legacy contract."""
    lines = [
        "#!/bin/sh",
        "# Upload the generated reports in time order, as the deployed smartupload/smartstatus scripts do:",
        '#   URL=http://127.0.0.1:8000 DEALER=0042kodeks TOKEN=legacy-token sh upload.sh',
        "# Each file is copied to <NAME>.zip / <NAME>.status first: the server identifies the installation",
        "# by the file name's stem. A back-fill sends many files per name and hour: run the server with",
        "# SMART_UPLOADS_PER_NAME_PER_HOUR=0 while uploading it.",
        "set -eu",
        ': "${URL:?set URL}" "${DEALER:?set DEALER}" "${TOKEN:?set TOKEN}"',
        'cd "$(dirname "$0")"',
        'tmp=$(mktemp -d)',
        "trap 'rm -rf \"$tmp\"' EXIT",
        "sent=0 refused=0",
        "# The server refuses collector error pages (HTTP 422): the simulated fleet uploads some on purpose.",
        "up() {",
        '  cp "$1" "$tmp/$2"',
        '  code=$(curl -sS -o /dev/null -w "%{http_code}" -H "upload: yes" -H "dealer: $DEALER" \\',
        '      -F "file=@$tmp/$2" "$URL/upload?token=$TOKEN") || code=000',
        '  rm -f "$tmp/$2"',
        '  case "$code" in',
        '    2??) sent=$((sent + 1)) ;;',
        '    000|401|403) echo "HTTP $code for $1: check URL, DEALER and TOKEN" >&2; exit 1 ;;',
        '    *) refused=$((refused + 1)); echo "HTTP $code: $1" >&2 ;;',
        "  esac",
        "}",
    ]
    for _instant, relative, upload_name, _size in sorted(rows):
        lines.append(f"up {shlex.quote(relative)} {shlex.quote(upload_name)}")
    lines += [f'echo "accepted $sent, refused $refused of {len(rows)} files"', ""]
    return "\n".join(lines)
