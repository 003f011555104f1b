"""KodeksDetectOverUserError from the refused-connection log of sysinfo reports (the `login_refused` event,
D §1.4 #43), end to end: reports through ingest and the pipeline → the on-fact hook → FIRING e-mail
listing the refused logins and the logins and refusals per hour → a report that brings no new refusal
(its log still lists the old ones) → RESOLVED."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from smart.alerts.models import Alert
from smart.formats.model import LoginRefusal
from tests.alerts_facts.e2e import H, flush, report_ctx, states, wait_mail  # noqa: F401 - report_ctx is a fixture
from tests.pipeline.conftest import roga  # noqa: F401 - the pipeline's ROGA installation

pytestmark = pytest.mark.django_db
RULE = "KodeksDetectOverUserError"
COVERS = {RULE}
M = timedelta(minutes=1)


def refused(at, login: str, count=None, code=2008):
    return LoginRefusal(at=at, login=login, code=code, reason="no_free_seats", count=count,
                        message="Превышено максимальное число пользователей")


def test_refused_logins_in_a_sysinfo_fire_and_the_next_report_without_new_ones_resolves(report_ctx, sink):  # noqa: F811
    ctx, t0 = report_ctx, report_ctx.t0
    log = (refused(t0 + 40 * M, "sidorov", count=3), refused(t0 + 50 * M, "kozlov", code=4106),
           refused(t0 + 55 * M, "guest", code=5))  # code 5: access denied, not a seat
    ctx.sysinfo(t0, refusals=(refused(t0 - 2 * H, "old"),))  # a first report: only its last interval counts
    assert RULE not in set(Alert.objects.values_list("rule", flat=True))

    ctx.sysinfo(t0 + H, refusals=log)
    alert = Alert.objects.get(rule=RULE)
    assert alert.state == "firing" and alert.object_key == f"i{ctx.roga.id}" and alert.value == "4"
    assert "4 login(s) refused" in alert.detail and "sidorov ×3, kozlov ×1" in alert.detail
    assert "guest" not in alert.detail and "old" not in alert.detail
    hour = (t0 + 40 * M).astimezone(ZoneInfo("Europe/Moscow")).strftime("%m-%d %H:00")
    assert f"{hour} " in alert.detail and "refused" in alert.detail
    assert alert.labels["logins"] == ["kozlov", "sidorov"] and alert.labels["refused"] == 4
    flush()
    mail = wait_mail(sink, "FIRING", RULE)
    assert "sidorov ×3, kozlov ×1" in mail.text

    ctx.sysinfo(t0 + 2 * H, refusals=log)  # the log overlaps: the same refusals, nothing new
    assert states(RULE) == {"resolved"}
    flush()
    wait_mail(sink, "RESOLVED", RULE)

    ctx.sysinfo(t0 + 3 * H, refusals=log + (refused(t0 + 2 * H + 30 * M, "petrova"),))
    assert states(RULE) == {"firing"}
    assert "1 login(s) refused" in Alert.objects.get(rule=RULE).detail
