"""What the prober watches, read from the registry: pulled installations and online accesses.

`SMART_CONNECT_TO` ({"host:port": "scheme://ip:port"}, like curl's --connect-to) sends a target's
connections elsewhere while keeping its name and Host header: the demo points its cloud names at the
loopback stand-ins with it, and a dealer can use it for a split-horizon DNS.
"""
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from smart.registry.models import Installation, OnlineAccess, Scheme

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass
class InstallationTarget:
    installation_id: int
    dealer_id: int
    name: str
    scheme: str
    host: str  # the registered address (a DNS name or an IP)
    port: int
    connect_host: str  # where connections go (host, or the SMART_CONNECT_TO override)
    connect_port: int
    connect_scheme: str
    ping: bool
    download: bool
    smartlogin_password: str = ""
    licman_host: str = ""
    licman_port: int | None = None
    probe_interval: int = 60
    sysinfo_interval: int = 3600
    status_interval: int = 900
    time_zone: str = "Europe/Moscow"
    overridden: bool = False  # SMART_CONNECT_TO applies: no DNS differential

    @property
    def base_url(self) -> str:
        return f"{self.connect_scheme}://{self.connect_host}:{self.connect_port}"

    @property
    def host_header(self) -> str:
        default = DEFAULT_PORTS.get(self.scheme)
        return self.host if self.port == default else f"{self.host}:{self.port}"

    @classmethod
    def from_installation(cls, inst: Installation) -> "InstallationTarget":
        scheme = inst.scheme or Scheme.HTTP
        port = inst.port or DEFAULT_PORTS.get(scheme, 80)
        c_scheme, c_host, c_port, overridden = connect_to(scheme, inst.address, port)
        floor = settings.SMART_PROBE_MIN_INTERVAL_S
        return cls(
            installation_id=inst.id, dealer_id=inst.dealer_id, name=inst.name, scheme=scheme,
            host=inst.address, port=port, connect_host=c_host, connect_port=c_port, connect_scheme=c_scheme,
            ping=inst.ping, download=inst.download, smartlogin_password=inst.smartlogin_password or "",
            licman_host=inst.licman_address, licman_port=inst.licman_port,
            probe_interval=max(floor, inst.probe_interval_s), sysinfo_interval=max(floor, inst.expected_interval_s),
            status_interval=max(floor, inst.status_interval_s), time_zone=inst.time_zone, overridden=overridden,
        )


def connect_to(scheme: str, host: str, port: int) -> tuple[str, str, int, bool]:
    """(scheme, host, port, overridden) to connect to for a registered scheme://host:port."""
    override = (getattr(settings, "SMART_CONNECT_TO", None) or {}).get(f"{host}:{port}".lower())
    if not override:
        return scheme, host, port, False
    parts = urlsplit(override if "://" in override else f"{scheme}://{override}")
    return parts.scheme, parts.hostname, parts.port or DEFAULT_PORTS.get(parts.scheme, 80), True


def installation_targets(dealer_id: int | None = None) -> list[InstallationTarget]:
    """Every live pulled installation (the ones SMART can reach)."""
    rows = Installation.objects.filter(kind=Installation.Kind.PULLED, archived_at__isnull=True).exclude(address="")
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    return [InstallationTarget.from_installation(inst) for inst in rows.order_by("id")]


def online_accesses(dealer_id: int | None = None) -> list[OnlineAccess]:
    rows = OnlineAccess.objects.filter(archived_at__isnull=True).select_related("dealer")
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    return list(rows.order_by("id"))
