"""What one evaluation looks at: some installations / online accesses (after new facts), or all."""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Scope:
    now: datetime
    installation_ids: frozenset | None = None  # None: every installation
    online_access_ids: frozenset | None = None  # None: every online access
    rule: str = ""
    # rows every rule of the pass reads alike (the newest report states): read once per pass, since a pass
    # writes alerts only, never the facts it reads
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def alert_filter(self, obj) -> dict | None:
        """The Alert filter this scope is authoritative for (lifecycle.apply's `scope`). `obj` is the
        rule's object type, or a list of them (a rule about installations and online accesses)."""
        if isinstance(obj, (list, tuple)):
            filters = [self.alert_filter(o) for o in obj]
            if all(f is None for f in filters):
                return None
            from smart.alerts.models import Alert

            ids = set()
            for f in filters:
                ids |= set(Alert.objects.filter(**(f or {})).filter(rule=self.rule).values_list("pk", flat=True))
            return {"pk__in": list(ids)}
        if obj == "installation" and self.installation_ids is not None:
            return {"installation_id__in": list(self.installation_ids)}
        if obj == "online_access" and self.online_access_ids is not None:
            return {"online_access_id__in": list(self.online_access_ids)}
        if obj == "installation" and self.online_access_ids is not None and self.installation_ids is None:
            return {"pk__in": []}  # an online-only pass says nothing about installations
        if obj == "online_access" and self.installation_ids is not None and self.online_access_ids is None:
            return {"pk__in": []}
        return None
