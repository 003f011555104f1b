"""Privacy switches (D §3.5 X15), applied to a parsed report before its facts are stored.

Per dealer, overridden per client:
- pseudonymise logins: every login becomes `u-<10 hex>`, a keyed hash (HMAC-SHA256 with a key derived
  from SMART's secret and the dealer), stable across reports so per-user analytics still work; the user
  card's name, phone and e-mail are replaced by a marker that keeps only the fact that they were filled
  (so "filled card" shares stay right);
- drop client IPs: session addresses are not stored;
- search texts: kept for N days (the retention job blanks older ones), or with 0 never stored (counts,
  results and timings are kept).
The raw archived file still holds everything for SMART_ARCHIVE_RETENTION_DAYS; the security pack says so.
"""
import dataclasses
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

FILLED = "•"  # a card field that was filled in, content not kept


@dataclass(frozen=True)
class Policy:
    pseudonymise_logins: bool = False
    drop_ips: bool = False
    search_text_days: int | None = None

    @property
    def drop_search_texts(self) -> bool:
        return self.search_text_days == 0

    @property
    def is_default(self) -> bool:
        return self == Policy()


def policy_for(client) -> Policy:
    dealer = client.dealer

    def pick(name):
        own = getattr(client, f"privacy_{name}")
        return getattr(dealer, f"privacy_{name}") if own is None else own

    return Policy(bool(pick("pseudonymise_logins")), bool(pick("drop_ips")), pick("search_text_days"))


def pseudonym(dealer_code: str, login: str | None) -> str | None:
    if not login:
        return login
    key = hashlib.sha256(f"smart-privacy|{settings.SECRET_KEY}|{dealer_code}".encode()).digest()
    return "u-" + hmac.new(key, login.strip().lower().encode(), hashlib.sha256).hexdigest()[:10]


def apply(installation, sysinfo):
    """The report as it may be stored under the client's policy (the same object when nothing applies)."""
    policy = policy_for(installation.client)
    if policy.is_default or (not policy.pseudonymise_logins and not policy.drop_ips and not policy.drop_search_texts):
        return sysinfo
    code = installation.dealer.code
    rename = (lambda login: pseudonym(code, login)) if policy.pseudonymise_logins else (lambda login: login)
    changes = {}
    if sysinfo.users is not None and policy.pseudonymise_logins:
        changes["users"] = tuple(dataclasses.replace(
            u, login=rename(u.login), full_name=u.full_name and FILLED, phone=u.phone and FILLED,
            email=u.email and FILLED) for u in sysinfo.users)
    if sysinfo.sessions is not None:
        changes["sessions"] = tuple(dataclasses.replace(
            s, login=rename(s.login), ip=None if policy.drop_ips else s.ip) for s in sysinfo.sessions)
    if sysinfo.login_refusals is not None and policy.pseudonymise_logins:
        changes["login_refusals"] = tuple(dataclasses.replace(r, login=rename(r.login))
                                          for r in sysinfo.login_refusals)
    if sysinfo.counters is not None and policy.pseudonymise_logins:
        changes["counters"] = tuple(dataclasses.replace(c, login=rename(c.login)) for c in sysinfo.counters)
    if sysinfo.searches is not None:
        changes["searches"] = tuple(dataclasses.replace(
            e, login=rename(e.login), text="" if policy.drop_search_texts else e.text) for e in sysinfo.searches)
    return dataclasses.replace(sysinfo, **changes)


def blank_old_search_texts(now) -> int:
    """Retention of search texts for clients whose policy keeps them N days (N > 0)."""
    from datetime import timedelta

    from smart.registry.models import Client

    from .models import SearchEvent

    blanked = 0
    for client in Client.objects.select_related("dealer"):
        days = policy_for(client).search_text_days
        if not days:
            continue
        blanked += (SearchEvent.objects.filter(installation__client=client, at__lt=now - timedelta(days=days))
                    .exclude(text="").update(text=""))
    return blanked
