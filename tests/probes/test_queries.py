"""Availability and check-status series against values worked out by hand."""
from datetime import datetime, timedelta, timezone

from smart.metrics.queries import Range
from smart.probes.queries import abnormal_states, check_status, rolling_availability
from smart.probes.results import Result
from smart.probes.store import Recorder

UTC = timezone.utc
T0 = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def _r(inst, ok, at, check="http200", **kw):
    return Result(check=check, ok=ok, at=at, dealer_id=inst.dealer_id, installation_id=inst.id, **kw)


def test_rolling_30_day_availability(pulled):
    recorder = Recorder()
    # 60 runs an hour for 40 days; one 3-hour outage on day 2 (180 failed runs), one failed run on day 35.
    batch = []
    for hour in range(40 * 24):
        for minute in range(0, 60, 15):  # 4 runs an hour keeps the test fast; the maths is the same
            at = T0 + timedelta(hours=hour, minutes=minute)
            ok = not (24 + 10 <= hour < 24 + 13) and at != T0 + timedelta(days=35, hours=5)
            batch.append(_r(pulled, ok, at))
    for i in range(0, len(batch), 2000):
        recorder.record(batch[i:i + 2000])
    rng = Range(T0 + timedelta(days=30), T0 + timedelta(days=36))
    series = rolling_availability("http200", rng, installations=[pulled.id], step=timedelta(days=1))[pulled.id]
    values = dict(series)
    # at day 30 the window [day 0, day 30] holds 30 days + the hour starting at day 30 = 721 hours × 4 runs
    assert values[T0 + timedelta(days=30)] == round(100 * (721 * 4 - 12) / (721 * 4), 2)
    # at day 33 the outage (day 1, 10:00–13:00) has left the window: only the day-35 failure can be in it
    assert values[T0 + timedelta(days=33)] == 100.0
    assert values[T0 + timedelta(days=36)] == round(100 * (721 * 4 - 1) / (721 * 4), 2)


def test_online_availability_by_host(db, dealer, pulled):
    from smart.registry.models import OnlineAccess

    a = OnlineAccess.objects.create(dealer=dealer, client=pulled.client, firm="A", login="a", password="p",
                                    host="buh1.kodeks.ru", folder="docs1")
    b = OnlineAccess.objects.create(dealer=dealer, client=pulled.client, firm="B", login="b", password="p",
                                    host="buh1.kodeks.ru", folder="docs2")
    results = []
    for hour in range(10):
        at = T0 + timedelta(hours=hour)
        results.append(Result(check="billing", ok=True, at=at, dealer_id=dealer.id, online_access_id=a.id))
        results.append(Result(check="billing", ok=hour != 3, at=at, dealer_id=dealer.id, online_access_id=b.id))
    Recorder().record(results)
    rng = Range(T0 + timedelta(hours=9), T0 + timedelta(hours=9))
    by_host = rolling_availability("billing", rng, online_accesses=[a.id, b.id], by="host")
    assert by_host == {"buh1.kodeks.ru": [(T0 + timedelta(hours=9), 95.0)]}
    by_access = rolling_availability("billing", rng, online_accesses=[a.id, b.id])
    assert by_access[a.id][0][1] == 100.0 and by_access[b.id][0][1] == 90.0


def test_check_status_square_wave_starts_with_the_state_at_the_left_edge(pulled):
    recorder = Recorder()
    pattern = [True, False, False, True, True]
    for minute, ok in enumerate(pattern):
        recorder.record([_r(pulled, ok, T0 + timedelta(minutes=minute), check="tcp")])
    rng = Range(T0 + timedelta(minutes=1, seconds=30), T0 + timedelta(minutes=10))
    series = check_status(rng, installations=[pulled.id])[(pulled.id, "tcp")]
    assert series == [(rng.start, 0), (T0 + timedelta(minutes=2), 0), (T0 + timedelta(minutes=3), 1)]


def test_abnormal_states_carry_the_http_code(pulled):
    recorder = Recorder()
    states = [("ok", 200), ("maintenance", 503), ("maintenance", 503), ("ok", 200), ("server_error", 500)]
    for minute, (state, code) in enumerate(states):
        recorder.record([_r(pulled, code == 200, T0 + timedelta(minutes=minute), state=state, code=code)])
    found = abnormal_states(Range(T0, T0 + timedelta(hours=1)), installations=[pulled.id])
    assert [v for _, v in found[(pulled.id, "maintenance")]] == [503, 503, 0, 0]
    assert [v for _, v in found[(pulled.id, "server_error")]] == [500]
