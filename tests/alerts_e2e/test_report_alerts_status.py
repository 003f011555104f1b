"""Alerts from .status files (and their staleness), end to end: status files through ingest and the
pipeline → the on-fact hook → the alert → a FIRING e-mail in the SMTP sink → a good file → RESOLVED."""
from datetime import timedelta

import pytest

from tests.alerts_facts.e2e import H, M15, Case, report_ctx, run_case  # noqa: F401 - report_ctx is a fixture
from tests.pipeline.conftest import roga  # noqa: F401 - the pipeline's ROGA installation

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
NO_SEATS = (("reason", "no_free_seats"),)


def twice(**series):
    """Two files in a row, 15 min apart, with these values."""
    def fire(ctx):
        ctx.status(ctx.t0, **series)
        ctx.status(ctx.t0 + M15, **series)
    return fire


def then(**series):
    def clear(ctx):
        ctx.status(ctx.t0 + 5 * H, **series)
    return clear


def long_maintenance(ctx):
    for minutes in (0, 60, 120, 190):
        ctx.status(ctx.t0 + timedelta(minutes=minutes), maintenance=1)


def refusals(ctx):
    ctx.status(ctx.t0, login_denied_total={NO_SEATS: 3})
    ctx.status(ctx.t0 + M15, login_denied_total={NO_SEATS: 4})


def no_new_refusals(ctx):
    for step in (2, 3):
        ctx.status(ctx.t0 + step * M15, login_denied_total={NO_SEATS: 4})


def status_silence(ctx):
    ctx.status(ctx.t0)
    ctx.evaluate(ctx.t0 + 45 * 60 * S + S, "SmartStatusIsToOld")


CASES = [
    Case("KodeksHttp200Status", twice(main_page=1), then(main_page=0)),
    Case("KodeksMaintenance", twice(maintenance=1), then(maintenance=0)),
    Case("KodeksNeedSupport", twice(need_support=1), then(need_support=0)),
    Case("KodeksMaintenanceToLong", long_maintenance, then(maintenance=0)),
    Case("LicmanTcpStatus", twice(licman_up=0), then(licman_up=1)),
    Case("KodeksWarning", twice(product_control=1), then(product_control=0)),
    Case("KodeksLimitsUsers", twice(seats_used=10, seats_total=10), then(seats_used=7, seats_total=10)),
    Case("KodeksOfflineSensLockCheck", twice(key_present=0), then(key_present=1)),
    Case("KodeksDetectOverUserError", refusals, no_new_refusals),
    Case("KodeksDiskSpaceLow", twice(disk_free_bytes={(("path", "D:"),): 3e9}),
         then(disk_free_bytes={(("path", "D:"),): 3e10})),
    Case("SmartStatusIsToOld", status_silence, then()),
    Case("KodeksSppStatus", twice(spp_up=0), then(spp_up=1)),
]
COVERS = {case.rule for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_status_file_alert_fires_and_resolves_by_email(case, report_ctx, sink):  # noqa: F811
    run_case(case, report_ctx, sink)
