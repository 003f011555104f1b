"""Documents managers hand out: figures checked against the rows the test writes (hand-worked), files opened
with openpyxl and rendered with pdftoppm."""
import os
import io
import shutil
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from smart.metrics.models import DailyRollup, InstallationState, KassistDay, SearchEvent, UserMonthCounters
from smart.probes.models import OnlineCounters
from smart.registry.models import Client, Dealer, Installation, OnlineAccess, Role, User
from smart.reports import documents

PW = "a-long-password-1"
UTC = timezone.utc


def day_rows(inst, month: date, documents_opened: int, saves: int, refusals_no_seats: int = 0, days: int = 2):
    """`days` daily rows sharing the month's totals (so the month's sums are the given numbers)."""
    for d in range(days):
        DailyRollup.objects.create(installation=inst, day=month.replace(day=1 + d), reports=24,
                                   documents_opened=documents_opened // days if d else documents_opened - documents_opened // days * (days - 1),
                                   saves=saves if d == 0 else 0, refusals_no_seats=refusals_no_seats if d == 0 else 0)


@pytest.fixture
def zavod(dealer):
    manager = User.objects.create_user("ivanova", password=PW, role=Role.MANAGER, dealer=dealer, full_name="Иванова Анна")
    c = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод", legal_name="АО «Звезда»")
    c.managers.add(manager)
    inst = Installation.objects.create(dealer=dealer, client=c, kind="pushed", name="ZAVOD", manager=manager)
    day_rows(inst, date(2025, 12, 1), 200, 10)
    day_rows(inst, date(2026, 1, 1), 300, 0)  # January vs December: +50 %
    day_rows(inst, date(2026, 2, 1), 0, 0)    # a month with reports and no use: 0, and −100 %
    day_rows(inst, date(2026, 3, 1), 120, 6, refusals_no_seats=4)  # after 0: ∞
    for k, text in enumerate(["ГОСТ 12.1.004", "ГОСТ 12.1.004", "СНиП 2.01.07", "найденный"]):
        SearchEvent.objects.create(installation=inst, fingerprint=f"s{k}", at=datetime(2026, 3, 5, 10, k, tzinfo=UTC),
                                   login="u1", text=text, results=0 if text != "найденный" else 7,
                                   search_type="intelligent")
    KassistDay.objects.create(installation=inst, day=date(2026, 3, 2), unique_links=3, unmatched_links=1, all_links=5,
                              active_links=4, report_time=datetime(2026, 3, 2, 12, tzinfo=UTC))
    return c, inst, manager


def test_prolongation_figures(zavod):
    client, _inst, _manager = zavod
    p = documents.prolongation(client, 2026, comment="Продлить на 2027 год")
    documents_row, change_row = p.rows[0], p.rows[1]
    assert [documents_row[f"m{m}"] for m in (1, 2, 3)] == [300, 0, 120]
    assert change_row["m1"] == 50.0 and change_row["m2"] == -100.0 and change_row["m3"] == "∞"
    assert p.empty_queries == [("ГОСТ 12.1.004", 2), ("СНиП 2.01.07", 1)]
    assert p.kassist[3]["all_links"] == 5


def test_prolongation_xlsx_and_pdf(zavod, tmp_path):
    client, _inst, _manager = zavod
    p = documents.prolongation(client, 2026, comment="Продлить на 2027 год")
    wb = load_workbook(io.BytesIO(documents.prolongation_xlsx(p)))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = values.index(next(r for r in values if r[0] == "Показатель"))
    assert values[header + 1][1:4] == [300, 0, 120]
    assert ["ГОСТ 12.1.004", 2] in [r[:2] for r in values]
    assert any(r[0] == "Продлить на 2027 год" for r in values)
    if shutil.which("pdftoppm") is None and os.environ.get("CI") != "true":
        pytest.skip("poppler-utils is not installed")
    pdf = documents.prolongation_pdf(p)
    done = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-", str(tmp_path / "p")], input=pdf,
                          capture_output=True, timeout=60)
    assert done.returncode == 0 and (tmp_path / "p-1.png").stat().st_size > 5000
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, timeout=60).stdout.decode()
    assert "АО «Звезда»" in text and "ГОСТ 12.1.004" in text and "Продлить на 2027 год" in text


def test_portfolio_shares(dealer, zavod):
    _client, _inst, manager = zavod
    march = date(2026, 3, 1)

    def client_with(slug, months: dict, seasonal=False, seats=None, active_users=0):
        c = Client.objects.create(dealer=dealer, slug=slug, display_name=slug, seasonal=seasonal)
        c.managers.add(manager)
        inst = Installation.objects.create(dealer=dealer, client=c, kind="pushed", name=slug)
        for m, docs in months.items():
            day_rows(inst, m, docs, 0, days=1)
        if seats:
            InstallationState.objects.create(installation=inst, seats_total=seats)
            for k in range(active_users):
                UserMonthCounters.objects.create(installation=inst, month=march, login=f"u{k}", db_requests=5,
                                                 report_time=datetime(2026, 3, 20, tzinfo=UTC))
        return c

    prev = {date(2025, 12, 1): 100, date(2026, 1, 1): 100, date(2026, 2, 1): 100}
    client_with("ZERO", {**prev, march: 0})
    client_with("LOW", {**prev, march: 30}, seats=10, active_users=1)  # 30 < 50 % of 100; 10 % involvement
    client_with("FINE", {**prev, march: 90}, seats=10, active_users=5)
    seasonal = client_with("SEASON", {**prev, march: 0}, seasonal=True)
    online = OnlineAccess.objects.create(dealer=dealer, client=seasonal, firm="S", login="s", host="h", folder="f")
    OnlineCounters.objects.create(online_access=online, at=datetime(2026, 3, 25, 9, tzinfo=UTC), documents_left=0,
                                  documents_limit=500)
    rows = {r.client.slug: r for r in documents.portfolio(manager, march)}
    assert set(rows) == {"ZAVOD", "ZERO", "LOW", "FINE", "SEASON"}
    assert rows["ZERO"].zero_use and rows["SEASON"].zero_use and not rows["FINE"].zero_use
    assert rows["LOW"].low_use and not rows["FINE"].low_use and rows["LOW"].previous_avg == 100
    assert rows["LOW"].low_involvement and rows["LOW"].involvement == 10.0 and not rows["FINE"].low_involvement
    assert rows["SEASON"].exhausted and not rows["ZERO"].exhausted
    wb = load_workbook(io.BytesIO(documents.portfolio_xlsx(manager, march, list(rows.values()))))
    summary = {r[0].value: [c.value for c in r[1:]] for r in wb["Итоги месяца"].iter_rows(min_row=4, max_row=8)}
    assert summary["Нулевое использование"] == [2, 40.0, 25.0]  # 2 of 5; without the seasonal one 1 of 4
    assert summary["Всего клиентов"][0] == 5
    detail = [[c.value for c in r] for r in wb["Клиенты"].iter_rows(min_row=2)]
    assert ["SEASON", "да"] == detail[[r[0] for r in detail].index("SEASON")][:2]


def test_downloads_are_scoped_and_business_only(client, dealer, zavod):
    zclient, _inst, manager = zavod
    other_manager = User.objects.create_user("petrov", password=PW, role=Role.MANAGER, dealer=dealer)
    User.objects.create_user("tech", password=PW, role=Role.TECHNICIAN, dealer=dealer)
    alien = Client.objects.create(dealer=Dealer.objects.create(code="0077", name="t"), slug="A", display_name="A")
    assert client.login(username="ivanova", password=PW)
    resp = client.get(f"/reports/clients/{zclient.pk}/prolongation.xlsx?year=2026")
    assert resp.status_code == 200 and load_workbook(io.BytesIO(resp.content)).active["A1"].value.endswith("АО «Звезда»")
    assert client.get(f"/reports/clients/{alien.pk}/prolongation.xlsx").status_code == 404
    resp = client.get(f"/reports/clients/{zclient.pk}/searches.xlsx?from=2026-03-01&to=2026-04-01&empty=1")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows(min_row=2)]
    assert sorted(r[3] for r in rows) == ["ГОСТ 12.1.004", "ГОСТ 12.1.004", "СНиП 2.01.07"]
    assert client.get(f"/reports/managers/{manager.pk}/portfolio.xlsx?month=2026-03").status_code == 200
    assert client.get(f"/reports/managers/{other_manager.pk}/portfolio.xlsx?month=2026-03").status_code == 404
    assert client.login(username="tech", password=PW)
    assert client.get(f"/reports/clients/{zclient.pk}/prolongation.pdf").status_code == 403
