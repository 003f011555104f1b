"""The search log: Russian legal queries, a plausible share of empty results, durations, sources."""
from datetime import timedelta

from .conftest import local


def _week(fleet):
    rows = []
    for i in range(fleet.size):
        end = local(fleet, i, 2025, 11, 14, 23, 0)
        rows += fleet.sysinfo_at(i, end, window=timedelta(days=5)).searches
    return rows


def test_empty_share_is_plausible(fleet):
    rows = [s for s in _week(fleet) if not s.error]
    empty = sum(1 for s in rows if s.results == 0)
    assert len(rows) > 1000
    assert 0.08 <= empty / len(rows) <= 0.30


def test_queries_are_russian_and_varied(fleet):
    rows = _week(fleet)
    texts = {s.text for s in rows}
    assert len(texts) > 100
    assert sum(1 for t in texts if any("а" <= ch.lower() <= "я" for ch in t)) > 0.8 * len(texts)
    assert any("ГОСТ" in t for t in texts) and any("ФЗ" in t for t in texts)


def test_empty_searches_are_slow_and_types_sources_vary(fleet):
    rows = _week(fleet)
    assert all(s.duration_s > 10 for s in rows if s.results == 0 and not s.error)
    assert {s.search_type for s in rows} == {"intelligent", "attribute"}
    assert {s.source for s in rows} == {"ksrv", "kassist"}
    assert {s.catalogue for s in rows} >= {"/docs"}


def test_search_window_selects_by_time(fleet):
    t = local(fleet, 0, 2025, 11, 12, 16, 0)
    report = fleet.sysinfo_at(0, t)
    assert report.searches and all(t - timedelta(hours=2) < s.at <= t for s in report.searches)


def test_kassist_links_for_kassist_installations(fleet):
    found = [fleet.sysinfo_at(i, fleet.now).kassist_links for i in range(fleet.size)]
    with_links = [k for k in found if k]
    assert with_links and any(k is None for k in found)
    for rows in with_links:
        assert all(r.unique_links <= r.all_links for r in rows)
