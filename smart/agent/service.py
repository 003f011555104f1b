"""Building an installation's bundle from the registry: a fresh upload token, the K/TE address and account."""
import secrets
from datetime import datetime, timezone

from django.conf import settings
from django.db import transaction

from smart.registry.models import IngestToken, Installation

from .bundle import CLOSED_NETWORK_KEEP, DEFAULT_KEEP, AgentSettings, as_zip, render_files


def kte_url_of(installation: Installation) -> str:
    """Where the script host reaches K/TE: the registry's address for pulled installations; for pushed ones
    the script usually runs on the K/TE machine itself."""
    if installation.address:
        scheme = installation.scheme or ("https" if installation.port == 443 else "http")
        default = {"http": 80, "https": 443}[scheme]
        port = f":{installation.port}" if installation.port and installation.port != default else ""
        return f"{scheme}://{installation.address}{port}"
    return "http://127.0.0.1"


@transaction.atomic
def prepare(installation: Installation, *, smart_url: str | None = None, kte_url: str | None = None,
            kte_login: str = "smartlogin", kte_password: str | None = None, keep: int | None = None,
            label: str = "") -> tuple[AgentSettings, IngestToken]:
    """Issue a new per-installation token (the previous one stays valid: two at a time, D §3.5 X3) and, when
    the installation has no monitoring password yet, generate one (stored encrypted, shown in the bundle)."""
    installation = Installation.objects.select_for_update().select_related("client", "dealer").get(pk=installation.pk)
    token, plain = IngestToken.issue(installation.dealer, installation,
                                     label=label or f"agent bundle {datetime.now(timezone.utc):%Y-%m-%d %H:%M}")
    if kte_password is None:
        if not installation.smartlogin_password:
            installation.smartlogin_password = secrets.token_urlsafe(18)
            installation.save(update_fields=["smartlogin_password"])
        kte_password = installation.smartlogin_password
    closed = installation.client.closed_network
    agent = AgentSettings(
        name=installation.name, client=installation.client.display_name, dealer=installation.dealer.header_value,
        smart_url=smart_url or settings.SMART_BASE_URL, token=plain, kte_url=kte_url or kte_url_of(installation),
        kte_login=kte_login, kte_password=kte_password,
        upload_every_min=max(5, installation.expected_interval_s // 60),
        status_every_min=max(5, installation.status_interval_s // 60),
        keep=keep if keep is not None else (CLOSED_NETWORK_KEEP if closed else DEFAULT_KEEP), closed_network=closed,
    )
    return agent, token


def folder_name(installation: Installation, os_name: str) -> str:
    return f"smartagent-{installation.name.replace(':', '_')}-{os_name}"


def bundle_zip(installation: Installation, os_name: str, **kwargs) -> tuple[bytes, IngestToken]:
    agent, token = prepare(installation, **kwargs)
    return as_zip(render_files(agent, os_name), folder_name(installation, os_name)), token
