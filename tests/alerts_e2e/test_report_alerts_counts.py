"""The Count roll-ups of report alerts, end to end: the base alert fires on T hosts (T = 3 for a dealer
with three installations; 31 for KodeksMaintenanceCount) → the roll-up fires → a FIRING e-mail → the base
clears on enough hosts for two evaluations (hysteresis) → RESOLVED."""
from datetime import timedelta

import pytest

from smart.alerts.models import Alert, Flip
from tests.alerts_facts.e2e import H, M15, Case, flush, report_ctx, run_case  # noqa: F401 - report_ctx is a fixture
from tests.pipeline.conftest import roga  # noqa: F401 - the pipeline's ROGA installation

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
HOSTS = ("ROGA", "ROGB", "ROGC")
OPERUP = r"D:\Kodeks\OperUp\30725NKV.ud6"


def on(hosts, step):
    """A Case step done for each host: step(ctx, name)."""
    def run(ctx):
        for name in hosts:
            step(ctx, name)
    return run


def db_errors(*error):
    return (on(HOSTS, lambda ctx, name: ctx.sysinfo(ctx.t0, name, errors={"zakon": [error]})),
            on(HOSTS[:2], lambda ctx, name: ctx.sysinfo(ctx.t0 + H, name, errors={"zakon": []})))


def status_twice(hosts, **series):
    def step(ctx, name):
        ctx.status(ctx.t0, name, **series)
        ctx.status(ctx.t0 + M15, name, **series)
    return on(hosts, step)


def status_then(hosts, **series):
    return on(hosts, lambda ctx, name: ctx.status(ctx.t0 + 5 * H, name, **series))


def long_maintenance(ctx, name):
    for minutes in (0, 60, 120, 190):
        ctx.status(ctx.t0 + timedelta(minutes=minutes), name, maintenance=1)


def silent(ctx):
    on(HOSTS, lambda ctx, name: ctx.sysinfo(ctx.t0, name))(ctx)
    ctx.evaluate(ctx.t0 + 3 * H + S, "SmartXMLfileIsToOld", "SmartXMLfileIsToOldCount")


CASES = [
    Case("KodeksDBerrorsNoCodeCount", *db_errors("volume", None, None, "Invalid protect string")),
    Case("KodeksDBerrorsCode2007Count", *db_errors("product", 2007, 4103, "Ошибка защиты (2007)")),
    Case("KodeksDBerrorsCodeXXXCount", *db_errors("os", 64, None, "Указанное сетевое имя более недоступно (64)")),
    Case("KodeksDBOperUpToOldCount",
         on(HOSTS, lambda ctx, name: ctx.sysinfo(ctx.t0, name, operups={OPERUP: timedelta(days=4)})),
         on(HOSTS[:2], lambda ctx, name: ctx.sysinfo(ctx.t0 + H, name, operups={OPERUP: H}))),
    Case("KodeksHttp200StatusCount", status_twice(HOSTS, main_page=1), status_then(HOSTS[:2], main_page=0)),
    Case("KodeksMaintenanceToLongCount", on(HOSTS, long_maintenance), status_then(HOSTS[:2], maintenance=0)),
    Case("SmartXMLfileIsToOldCount", silent, on(HOSTS[:2], lambda ctx, name: ctx.sysinfo(ctx.t0 + 4 * H, name))),
]
MANY = tuple(f"M{i:02d}" for i in range(31))
COVERS = {case.rule for case in CASES} | {"KodeksMaintenanceCount"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_count_rollup_fires_and_resolves_by_email(case, report_ctx, sink):  # noqa: F811
    run_case(case, report_ctx, sink)
    base = case.rule.removesuffix("Count")
    assert Alert.objects.filter(rule=base, state="firing", installation__name="ROGC").exists()  # under 0.8 × 3


def test_more_than_30_hosts_in_maintenance_is_a_platform_event(report_ctx):  # noqa: F811
    status_twice(MANY, maintenance=1)(report_ctx)
    platform = Alert.objects.get(rule="KodeksMaintenanceCount", object_key="platform")
    assert platform.state == "firing" and platform.value == "31"
    assert "31 hosts firing KodeksMaintenance (threshold 31)" in platform.detail
    status_then(MANY[:8], maintenance=0)(report_ctx)  # 24 left is under 0.8 × 31, twice in a row
    platform.refresh_from_db()
    assert platform.state == "resolved"
    assert list(Flip.objects.filter(alert=platform).values_list("new_state", flat=True).order_by("id")) == \
        ["firing", "resolved"]
    flush()  # a platform alert has no dealer: SMART operations' routing, not a dealer's route, must carry it
    assert not Flip.objects.filter(alert=platform, processed_at__isnull=True).exists()
