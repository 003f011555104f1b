"""An installation's agent bundle: every file a technician puts on the client's machine, values filled in.

What the bundle guarantees (D §3.5 X2, X6, X10, X12; R-C14, R-C17):
- secrets (the per-installation upload token, the K/TE monitoring account) live only in curl config files
  (`curl -K`) readable by the task's account, never on a command line or in a script;
- the token travels in an `Authorization: Bearer` header to `/api/v1/reports`, over HTTPS when SMART's
  address is HTTPS;
- the local fetch uses `--fail-with-body` and the previous file is deleted first, so a failed fetch is
  never uploaded, and the K/TE sign-in never follows the redirect to `/docs` (that would take a seat);
- an unreachable K/TE is still reported: a `.status` file with `kserver_up 0` and no date line;
- the newest N timestamped reports are kept beside the scripts (closed networks carry them out by hand;
  for a closed-network client the scripts do not try to upload at all);
- Windows: Task Scheduler XML (dedicated user, least privilege, no parallel instance, start-in folder,
  `C:\\ProgramData\\SmartAgent`); Linux: a cron line and systemd service + timer units (`/opt/smartagent`);
  a one-line installer for each.
"""
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from django.template import Context, Engine

OS_CHOICES = ("linux", "windows")
LINUX_DIR = "/opt/smartagent"
WINDOWS_DIR = r"C:\ProgramData\SmartAgent"
CLOSED_NETWORK_KEEP = 24 * 14  # two weeks of hourly reports between two trips out of a closed network
DEFAULT_KEEP = 3

LINUX_FILES = ("smartupload.sh", "smartstatus.sh", "install.sh", "smartagent-upload.service",
               "smartagent-upload.timer", "smartagent-status.service", "smartagent-status.timer", "crontab.txt")
WINDOWS_FILES = ("smartupload.cmd", "smartstatus.cmd", "smartupload.ps1", "smartstatus.ps1", "install.ps1",
                 "task-smartupload.xml", "task-smartstatus.xml")
COMMON_FILES = ("smart.cfg", "kte-login.cfg", "kte-metrics.cfg", "README.txt")


@dataclass
class AgentSettings:
    name: str  # the installation's name: the file stem SMART expects
    client: str  # the client's display name (comments only)
    dealer: str  # the dealer header value (comments only: the token identifies the dealer)
    smart_url: str  # SMART's base URL as the client reaches it
    token: str  # the per-installation upload token (plain text, written only to smart.cfg)
    kte_url: str  # K/TE as the script host reaches it, e.g. http://127.0.0.1:8080
    kte_login: str = "smartlogin"
    kte_password: str = ""
    metrics_login: str = ""  # /sysmon/metrics Basic credentials; default: the K/TE account
    metrics_password: str = ""
    upload_every_min: int = 60
    status_every_min: int = 15
    keep: int = DEFAULT_KEEP
    closed_network: bool = False
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __post_init__(self):
        self.smart_url = self.smart_url.rstrip("/")
        self.kte_url = self.kte_url.rstrip("/")
        self.metrics_login = self.metrics_login or self.kte_login
        self.metrics_password = self.metrics_password or self.kte_password
        self.upload_every_min = max(5, int(self.upload_every_min))
        self.status_every_min = max(5, int(self.status_every_min))


def _cfg_quote(value: str) -> str:
    """A value for a curl config file: double-quoted, with backslash and quote escaped (curl's rules)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _engine() -> Engine:
    from pathlib import Path

    return Engine(dirs=[str(Path(__file__).parent / "templates")], autoescape=False)


def render_files(s: AgentSettings, os_name: str) -> dict[str, bytes]:
    """{file name: content} for one OS; Windows files get CRLF line ends."""
    if os_name not in OS_CHOICES:
        raise ValueError(f"unknown OS {os_name!r}: choose linux or windows")
    engine = _engine()
    https = urlsplit(s.smart_url).scheme == "https"
    ctx = Context({
        "s": s, "os": os_name, "https": https, "api_url": f"{s.smart_url}/api/v1/reports",
        "dir": LINUX_DIR if os_name == "linux" else WINDOWS_DIR,
        "token_cfg": _cfg_quote(f"Authorization: Bearer {s.token}"),
        "kte_login_cfg": [_cfg_quote(f"login={s.kte_login}"), _cfg_quote(f"password={s.kte_password}")],
        "metrics_user_cfg": _cfg_quote(f"{s.metrics_login}:{s.metrics_password}"),
        "upload": not s.closed_network,
        "generated": s.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "upload_every_min": s.upload_every_min, "status_every_min": s.status_every_min,
    }, autoescape=False)
    names = COMMON_FILES + (LINUX_FILES if os_name == "linux" else WINDOWS_FILES)
    files = {}
    for name in names:
        text = engine.get_template(f"agent/{name}").render(ctx)
        if os_name == "windows" and not name.endswith(".xml"):
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if name.endswith(".xml"):
            files[name] = ("\ufeff" + text).encode("utf-16-le")  # what Task Scheduler exports and imports
        else:
            files[name] = text.encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                                  for name, data in sorted(files.items())).encode()
    return files


SECRET_FILES = {"smart.cfg", "kte-login.cfg", "kte-metrics.cfg"}
EXECUTABLE = {"smartupload.sh", "smartstatus.sh", "install.sh"}


def as_zip(files: dict[str, bytes], folder: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            mode = 0o600 if name in SECRET_FILES else (0o755 if name in EXECUTABLE else 0o644)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def write_dir(files: dict[str, bytes], out) -> list:
    """Write the bundle into a folder: secrets 0600, scripts 0755."""
    import os
    from pathlib import Path

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(files.items()):
        path = out / name
        mode = 0o600 if name in SECRET_FILES else (0o755 if name in EXECUTABLE else 0o644)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(path, mode)
        written.append(path)
    return written
