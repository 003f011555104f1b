"""What one run of a check produced: the unit the scheduler, the writer and test-connection share."""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Result:
    check: str  # a Check value
    ok: bool
    at: datetime  # aware, UTC: when the run started
    code: int = 0  # HTTP status, when there was one
    state: str = ""  # page classification ("ok", "maintenance", …) or error kind ("ConnectionTimeout", …)
    latency_ms: float | None = None
    detail: str = ""  # one line a technician can act on
    dealer_id: int | None = None
    installation_id: int | None = None
    online_access_id: int | None = None
    data: dict = field(default_factory=dict)  # check-specific extras: counters, search rows, resolved IP…

    @property
    def target_key(self) -> str:
        return target_key(self.installation_id, self.online_access_id, self.check)


def for_installation(t, check: str, ok: bool, at: datetime, **kw) -> Result:
    """A Result of `check` on the InstallationTarget `t`."""
    return Result(check=check, ok=ok, at=at, dealer_id=t.dealer_id, installation_id=t.installation_id, **kw)


def target_key(installation_id: int | None, online_access_id: int | None, check: str) -> str:
    if installation_id is not None:
        return f"i{installation_id}:{check}"
    return f"o{online_access_id}:{check}"
