"""Recording results: samples kept on failure and change, states, hourly availability, the signal."""
from datetime import datetime, timedelta, timezone

from smart.probes.models import CheckDaily, CheckHourly, CheckSample, CheckState
from smart.probes.results import Result
from smart.probes.store import Recorder, rebuild_daily, results_recorded

UTC = timezone.utc
T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _r(inst, ok, at, check="tcp", **kw):
    return Result(check=check, ok=ok, at=at, dealer_id=inst.dealer_id, installation_id=inst.id, **kw)


def test_healthy_runs_are_sampled_every_five_minutes_but_all_counted(pulled, settings):
    settings.SMART_PROBE_SAMPLE_EVERY_S = 300
    recorder = Recorder()
    for minute in range(30):
        recorder.record([_r(pulled, True, T0 + timedelta(minutes=minute), latency_ms=1.0)])
    samples = list(CheckSample.objects.filter(installation=pulled).order_by("at").values_list("at", flat=True))
    assert [s.minute for s in samples] == [0, 6, 12, 18, 24]
    hourly = CheckHourly.objects.get(target_key=f"i{pulled.id}:tcp")
    assert (hourly.total, hourly.ok) == (30, 30)


def test_every_failure_and_every_change_is_a_sample(pulled):
    recorder = Recorder()
    pattern = [True, True, False, False, False, True, True]
    for minute, ok in enumerate(pattern):
        recorder.record([_r(pulled, ok, T0 + timedelta(minutes=minute), state="ok" if ok else "refused")])
    rows = list(CheckSample.objects.filter(installation=pulled).order_by("at").values_list("at", "ok"))
    assert [(at.minute, ok) for at, ok in rows] == [(0, True), (2, False), (3, False), (4, False), (5, True)]
    state = CheckState.objects.get(target_key=f"i{pulled.id}:tcp")
    assert state.ok is True and state.since == T0 + timedelta(minutes=5)
    assert state.consecutive_failures == 0 and state.failures == 3 and state.runs == 7
    assert state.last_fail_at == T0 + timedelta(minutes=4)


def test_consecutive_failures_and_hourly_split(pulled):
    recorder = Recorder()
    for minute in range(50, 70):  # crosses an hour
        recorder.record([_r(pulled, minute % 4 != 0, T0 + timedelta(minutes=minute), check="http200", code=200)])
    by_hour = {h.hour: (h.total, h.ok) for h in CheckHourly.objects.filter(check_type="http200")}
    # failures at :52, :56 | :00, :04, :08
    assert by_hour == {T0: (10, 8), T0 + timedelta(hours=1): (10, 7)}


def test_a_new_recorder_continues_from_the_stored_state(pulled):
    Recorder().record([_r(pulled, False, T0), _r(pulled, False, T0 + timedelta(minutes=1))])
    Recorder().record([_r(pulled, False, T0 + timedelta(minutes=2))])  # a restarted prober
    state = CheckState.objects.get(target_key=f"i{pulled.id}:tcp")
    assert state.consecutive_failures == 3 and state.runs == 3 and state.since == T0


def test_the_signal_carries_the_batch(pulled):
    seen = []

    def listener(sender, results, **kw):
        seen.append([r.ok for r in results])

    results_recorded.connect(listener)
    try:
        Recorder().record([_r(pulled, True, T0), _r(pulled, False, T0, check="http200")])
    finally:
        results_recorded.disconnect(listener)
    assert seen == [[True, False]]


def test_extra_keeps_the_last_known_ip(pulled):
    recorder = Recorder()
    recorder.record([_r(pulled, True, T0, check="proxy", data={"ip": "10.1.2.3"})])
    recorder.record([_r(pulled, False, T0 + timedelta(minutes=1), check="proxy", state="dns_failed")])
    assert CheckState.objects.get(target_key=f"i{pulled.id}:proxy").extra["ip"] == "10.1.2.3"


def test_daily_rows_sum_the_hours_of_each_utc_day_and_rebuild_gives_the_same(pulled):
    recorder = Recorder()
    start = datetime(2026, 11, 26, 22, 30, tzinfo=UTC)
    for step in range(0, 180, 10):  # 22:30 → 01:20 next day, in batches of one run, then one batch of three
        recorder.record([_r(pulled, step % 40 != 0, start + timedelta(minutes=step))])
    recorder.record([_r(pulled, False, start + timedelta(minutes=m), check="http200") for m in (0, 100, 110)])

    def daily():
        return {(d.check_type, d.day.isoformat()): (d.total, d.ok) for d in CheckDaily.objects.all()}

    # tcp: 22:30..23:50 is 9 runs on the 26th (failures at 22:30, 23:10, 23:50), 00:00..01:20 is 9 on the 27th
    # (failures at 00:30, 01:10); http200: one failure on the 26th, two on the 27th
    assert daily() == {("tcp", "2026-11-26"): (9, 6), ("tcp", "2026-11-27"): (9, 7),
                       ("http200", "2026-11-26"): (1, 0), ("http200", "2026-11-27"): (2, 0)}
    hourly = {}
    for h in CheckHourly.objects.all():
        cell = hourly.setdefault((h.check_type, h.hour.date().isoformat()), [0, 0])
        cell[0], cell[1] = cell[0] + h.total, cell[1] + h.ok
    assert daily() == {k: tuple(v) for k, v in hourly.items()}
    before = daily()
    CheckDaily.objects.update(total=0, ok=0)
    assert rebuild_daily() == 4 and daily() == before
    CheckDaily.objects.filter(day="2026-11-27").delete()
    rebuild_daily(since=datetime(2026, 11, 27, 5, tzinfo=UTC))  # only the 27th is recomputed
    assert daily() == before


def test_retention_forgets_hourly_and_daily_rows_past_the_facts_horizon(pulled, settings):
    from smart.probes import retention

    settings.SMART_RETENTION_MONTHS = 13
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    old, new = now - timedelta(days=400), now - timedelta(days=390)
    Recorder().record([_r(pulled, True, old), _r(pulled, False, new)])
    result = retention.run(now=now)
    assert result["hourly"] == 1 and result["daily"] == 1
    assert list(CheckDaily.objects.values_list("day", "total", "ok")) == [(new.date(), 1, 0)]
