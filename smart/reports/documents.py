"""Documents managers hand out (issue: business analytics §2), built from the same queries as the
dashboards:

- the prolongation report for one client and one year (XLSX and PDF) for the client's decision-maker:
  monthly usage with month-over-month change, refusals for lack of seats, kAssist work, empty searches and
  the most frequent empty queries, the manager's comments;
- the month-end portfolio report of a manager (XLSX): the share of clients with zero use, low use,
  exhausted online quota and low involvement, seasonal clients marked (D R-C11);
- the export of a client's search queries, all or empty only, for upsell analysis (D R-C8).
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, Sum
from django.utils.dates import MONTHS

from smart.cabinet import queries_bizonline as q
from smart.cabinet.dashboards import prolongation as pro

UTC = timezone.utc
LOW_INVOLVEMENT_PCT = 20.0  # below this share of reg-file seats using the system, a client is "low involvement"
LOW_USE_FACTOR = 0.5  # activity below half of the client's own average of the previous 3 months is "low use"
TOP_EMPTY = 25


# ---- prolongation ---------------------------------------------------------------------------------------

@dataclass
class Prolongation:
    client: object
    year: int
    managers: str
    rows: list[dict]  # the dashboard's table rows (value and % change rows)
    kassist: dict[int, dict]  # month → {"all_links", "unique_links", "unmatched_links", "active_links"}
    empty_queries: list[tuple[str, int]]
    comment: str = ""
    installations: list[str] = field(default_factory=list)


def prolongation(client, year: int, comment: str = "") -> Prolongation:
    from smart.metrics.models import KassistDay, SearchEvent

    insts = list(client.installations.filter(archived_at__isnull=True).values_list("pk", "time_zone", "name"))
    values = pro.year_values([(pk, tz) for pk, tz, _n in insts], year)
    rows = pro.table_rows(values, year)
    ids = [pk for pk, _tz, _n in insts]
    kassist = {}
    for row in (KassistDay.objects.filter(installation_id__in=ids, day__year=year)
                .values("day__month").annotate(all_links=Sum("all_links"), unique_links=Sum("unique_links"),
                                               unmatched_links=Sum("unmatched_links"),
                                               active_links=Max("active_links"))):
        kassist[row.pop("day__month")] = row
    empty = (SearchEvent.objects.filter(installation_id__in=ids, results=0, at__gte=datetime(year, 1, 1, tzinfo=UTC),
                                        at__lt=datetime(year + 1, 1, 1, tzinfo=UTC)).exclude(text="")
             .values("text").annotate(n=Count("id")).order_by("-n", "text")[:TOP_EMPTY])
    return Prolongation(client, year, pro.client_managers(client), rows, kassist,
                        [(r["text"], r["n"]) for r in empty], comment, [n for _pk, _tz, n in insts])


def _month_names() -> list[str]:
    return [str(MONTHS[m]).capitalize() for m in range(1, 13)]


def _cell(v):
    return v if isinstance(v, (int, float)) else ("" if v is None else str(v))


def prolongation_xlsx(p: Prolongation) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = f"Пролонгация {p.year}"
    bold = Font(bold=True)
    ws.append([f"Данные для пролонгации: {p.client.legal_name or p.client.display_name}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"Клиент: {p.client.display_name}; менеджер: {p.managers}; год: {p.year}; "
               f"установки: {', '.join(p.installations) or '—'}"])
    ws.append([])
    ws.append(["Показатель", *_month_names()])
    for c in ws[4]:
        c.font = bold
        c.fill = PatternFill("solid", fgColor="E6E9EE")
    for row in p.rows:
        ws.append([row["metric"], *[_cell(row.get(f"m{m}")) for m in range(1, 13)]])
    ws.append([])
    ws.append(["Работа kAssist", *_month_names()])
    for c in ws[ws.max_row]:
        c.font = bold
    for key, label in (("all_links", "Добавлено ссылок"), ("unique_links", "Уникальных ссылок"),
                       ("unmatched_links", "Ссылок без соответствия"), ("active_links", "Активных ссылок")):
        ws.append([label, *[(p.kassist.get(m) or {}).get(key) for m in range(1, 13)]])
    ws.append([])
    ws.append(["Частые запросы без результата", "Раз"])
    for c in ws[ws.max_row]:
        c.font = bold
    for text, n in p.empty_queries:
        ws.append([text, n])
    if p.comment:
        ws.append([])
        ws.append(["Комментарии менеджера"])
        ws[ws.max_row][0].font = bold
        ws.append([p.comment])
        ws[ws.max_row][0].alignment = Alignment(wrap_text=True)
    ws.column_dimensions["A"].width = 62
    for col in "BCDEFGHIJKLM":
        ws.column_dimensions[col].width = 11
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:+.3g}%" if abs(v) < 1e6 else f"{v:.3g}"
    return "" if v is None else str(v)


def prolongation_pdf(p: Prolongation) -> bytes:
    from .pdf import Document

    title = f"Использование системы Кодекс/Техэксперт в {p.year} году"
    doc = Document(title, f"СМАРТ · {p.client.display_name} · {p.year}")
    doc.h1(title)
    doc.para(f"Организация: {p.client.legal_name or p.client.display_name}. Менеджер: {p.managers}. "
             f"Установки: {', '.join(p.installations) or '—'}.")
    doc.para("Помесячные данные собраны сервисом мониторинга СМАРТ. Изменение к предыдущему месяцу: "
             "(текущий − предыдущий) / предыдущий × 100%; январь сравнивается с декабрём прошлого года; "
             "∞ — в предыдущем месяце значение было нулевым.", size=8)
    months = [m[:3] for m in _month_names()]
    doc.table(["Показатель", *months], [[r["metric"], *[_short(r.get(f"m{m}")) for m in range(1, 13)]]
                                        for r in p.rows],
              widths=[58] + [10] * 12, size=6)
    if p.kassist:
        doc.h2("Работа kAssist")
        doc.table(["", *months], [[label, *[_short((p.kassist.get(m) or {}).get(key)) for m in range(1, 13)]]
                                  for key, label in (("all_links", "Добавлено ссылок"),
                                                     ("unique_links", "Уникальных"),
                                                     ("unmatched_links", "Без соответствия"))],
                  widths=[58] + [10] * 12, size=6)
    doc.h2("Запросы, по которым ничего не нашлось")
    if p.empty_queries:
        doc.table(["Запрос", "Раз"], [[t, n] for t, n in p.empty_queries], widths=[160, 18], size=7)
        doc.para("Эти запросы подсказывают, каких материалов пользователям не хватает: их можно добавить в "
                 "комплект или показать, где они уже есть.", size=8)
    else:
        doc.para("Таких запросов не было (или тексты запросов не хранятся по настройкам приватности).", size=9)
    if p.comment:
        doc.h2("Комментарии")
        doc.para(p.comment)
    return doc.bytes()


# ---- month-end portfolio of a manager --------------------------------------------------------------------

@dataclass
class PortfolioRow:
    client: object
    activity: int | None
    previous_avg: float | None
    involvement: float | None
    zero_use: bool
    low_use: bool
    exhausted: bool
    low_involvement: bool


def _clients_of(manager):
    from smart.registry.models import Client

    mine = Q(managers=manager) | Q(installations__manager=manager) | Q(online_accesses__manager=manager)
    return Client.objects.filter(pk__in=Client.objects.filter(mine).values("pk"), archived_at__isnull=True)


def portfolio(manager, month: date) -> list[PortfolioRow]:
    from smart.alerts.conditions.online import quota_month
    from smart.metrics.models import InstallationState, UserMonthCounters
    from smart.probes.models import OnlineCounters

    clients = list(_clients_of(manager).order_by("display_name"))
    first_prev = q.month_add(month, -3)
    last = q.month_add(month, 1) - timedelta(days=1)
    from smart.registry.models import Installation, OnlineAccess

    inst_client = dict(Installation.objects.filter(client__in=clients, archived_at__isnull=True)
                       .values_list("pk", "client_id"))
    totals = q.monthly_totals(list(inst_client), first_prev, last, by_installation=True)
    activity: dict[int, dict[date, int]] = {}
    for (inst, m), values in totals.items():
        per = activity.setdefault(inst_client[inst], {})
        per[m] = per.get(m, 0) + q.derived(values)["activity"]
    active_users = dict(UserMonthCounters.objects.filter(installation__in=inst_client, month=month, db_requests__gt=0)
                        .values("installation__client").annotate(n=Count("login", distinct=True))
                        .values_list("installation__client", "n"))
    seats = dict(InstallationState.objects.filter(installation__in=inst_client).values("installation__client")
                 .annotate(s=Sum("seats_total")).values_list("installation__client", "s"))
    exhausted = set()
    period = quota_month(month.year, month.month, ZoneInfo("Europe/Moscow"))  # the vendor's Moscow month
    for acc in OnlineAccess.objects.filter(client__in=clients, archived_at__isnull=True):
        low = OnlineCounters.objects.filter(online_access=acc, at__gte=period.start, at__lt=period.end).aggregate(
            m=Min("documents_left"))["m"]
        if low is not None and low <= 0:
            exhausted.add(acc.client_id)
    rows = []
    for c in clients:
        per = activity.get(c.pk, {})
        cur = per.get(month)
        prev = [per[m] for m in (q.month_add(month, -1), q.month_add(month, -2), q.month_add(month, -3)) if m in per]
        avg = sum(prev) / len(prev) if prev else None
        inv = 100.0 * active_users.get(c.pk, 0) / seats[c.pk] if seats.get(c.pk) else None
        rows.append(PortfolioRow(
            c, cur, avg, inv, zero_use=cur == 0, low_use=bool(cur and avg and cur < LOW_USE_FACTOR * avg),
            exhausted=c.pk in exhausted, low_involvement=inv is not None and inv < LOW_INVOLVEMENT_PCT))
    return rows


def portfolio_xlsx(manager, month: date, rows: list[PortfolioRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Итоги месяца"
    n = len(rows) or 1
    regular = [r for r in rows if not r.client.seasonal]
    ws.append([f"Портфель менеджера {manager}: {str(MONTHS[month.month]).lower()} {month.year}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["Показатель", "Клиентов", "Доля, %", "Без сезонных, %"])
    for c in ws[3]:
        c.font = Font(bold=True)
    rn = len(regular) or 1
    for label, attr in (("Нулевое использование", "zero_use"), ("Низкое использование", "low_use"),
                        ("Исчерпан лимит онлайн-доступа", "exhausted"), ("Низкая вовлечённость", "low_involvement")):
        k = sum(1 for r in rows if getattr(r, attr))
        kr = sum(1 for r in regular if getattr(r, attr))
        ws.append([label, k, round(100.0 * k / n, 1), round(100.0 * kr / rn, 1)])
    ws.append(["Всего клиентов", len(rows), 100.0, None])
    ws.append([])
    ws.append([f"Низкое использование: активность ниже {int(LOW_USE_FACTOR * 100)}% среднего за 3 предыдущих месяца; "
               f"низкая вовлечённость: меньше {int(LOW_INVOLVEMENT_PCT)}% мест рег-файла работают в системе."])
    ws.column_dimensions["A"].width = 40
    detail = wb.create_sheet("Клиенты")
    detail.append(["Клиент", "Сезонный", "Активность за месяц", "Среднее за 3 мес.", "Вовлечённость, %",
                   "Нулевое", "Низкое", "Лимит исчерпан", "Низкая вовлечённость"])
    for c in detail[1]:
        c.font = Font(bold=True)
    yes = lambda b: "да" if b else ""  # noqa: E731
    for r in rows:
        detail.append([r.client.display_name, yes(r.client.seasonal), r.activity,
                       None if r.previous_avg is None else round(r.previous_avg, 1),
                       None if r.involvement is None else round(r.involvement, 1),
                       yes(r.zero_use), yes(r.low_use), yes(r.exhausted), yes(r.low_involvement)])
    detail.column_dimensions["A"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- search queries export -----------------------------------------------------------------------------

def searches_xlsx(client, start: datetime, end: datetime, empty_only: bool = False, tz=ZoneInfo("Europe/Moscow")) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from smart.metrics.models import SearchEvent
    from smart.probes.models import OnlineSearch

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Запросы")
    header = ["Время", "Установка / доступ", "Пользователь", "Запрос", "Тип", "Каталог", "Найдено", "Время, с"]
    ws.append(header)
    rows = (SearchEvent.objects.filter(installation__client=client, at__gte=start, at__lt=end)
            .select_related("installation").order_by("at"))
    if empty_only:
        rows = rows.filter(results=0)
    for e in rows.iterator(chunk_size=5000):
        ws.append([e.at.astimezone(tz).replace(tzinfo=None), e.installation.name, e.login, e.text, e.search_type,
                   e.catalogue, e.results, None if e.duration_ms is None else e.duration_ms / 1000])
    online = OnlineSearch.objects.filter(online_access__client=client, at__gte=start, at__lt=end).select_related(
        "online_access").order_by("at")
    if empty_only:
        online = online.filter(results=0)
    for e in online.iterator(chunk_size=5000):
        ws.append([e.at.astimezone(tz).replace(tzinfo=None), f"{e.online_access.firm} ({e.online_access.login})",
                   e.login, e.text, e.search_type, e.online_access.folder, e.results, None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
