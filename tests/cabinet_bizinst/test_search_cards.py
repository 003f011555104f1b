"""Search queries (B §G) and User cards (B §C) against the inputs of the `facts` fixture."""
from datetime import date

from .data import month_row, search, user, utc

SEARCH_RANGE = ("2026-11-01", "2026-11-20T15:00")


def test_all_searches_oldest_first_with_status(world, facts, make_ctx, panel):
    data = panel("search-queries", "all", make_ctx(world.a.dealer_admin, *SEARCH_RANGE))
    got = [(r["time"], r["login"], r["query"], r["catalogue"], r["source"], r["status"], r["_cell_class"]["status"])
           for r in data["rows"]]
    assert got == [
        (utc(2026, 11, 5, 10), "ivanov", "гост 30245", "/docs", "ksrv", "Пустой", "bad"),
        (utc(2026, 11, 6, 11), "petrov", "190-рп от 07.08.2022", "/docs", "ksrv", "Пустой", "bad"),
        (utc(2026, 11, 7, 12), "petrov", "трудовой кодекс", "kodeks02", "kAssist", "Успех", "ok"),
    ]
    assert {r["legal"] for r in data["rows"]} == {world.a.branch_client.legal_name}
    assert [c["title"] for c in data["columns"]][:4] == ["Время", "ЮрЛицо", "Пользователь", "Запрос"]


def test_empty_searches_newest_first(world, facts, make_ctx, panel):
    data = panel("search-queries", "empty", make_ctx(world.a.dealer_admin, *SEARCH_RANGE))
    assert [(r["time"], r["login"], r["status"]) for r in data["rows"]] == [
        (utc(2026, 11, 6, 11), "petrov", "Пустой"), (utc(2026, 11, 5, 10), "ivanov", "Пустой")]
    # the October search is outside the range; the domain narrows to LAW's users
    law = panel("search-queries", "empty", make_ctx(world.a.dealer_admin, *SEARCH_RANGE, domain="LAW"))
    assert [r["login"] for r in law["rows"]] == ["ivanov"]


def test_search_filters_user_source_catalogue_status_and_type(world, facts, make_ctx, panel):
    """B §G's filters: Пользователь, Источник запросов, Каталог, Статус поиска, ТипПоиска (both tables, except the
    status on the empty-search table, which is empty by definition)."""
    search(world.a.installations["zavod-a"], utc(2026, 11, 8, 9), "smirnov", "налоговый кодекс", 4, kind="attribute")

    def logins(table, **filters):
        return [r["login"] for r in panel("search-queries", table, make_ctx(world.a.dealer_admin, *SEARCH_RANGE,
                                                                             **filters))["rows"]]

    assert logins("all") == ["ivanov", "petrov", "petrov", "smirnov"]
    assert logins("all", user="petrov") == ["petrov", "petrov"]
    assert logins("all", user=["ivanov", "smirnov"]) == ["ivanov", "smirnov"]
    assert logins("all", search_source="kassist") == ["petrov"]
    assert logins("all", search_catalog="kodeks02") == ["petrov"]
    assert logins("all", search_catalog="docs") == ["ivanov", "petrov", "smirnov"]  # stored as "/docs"
    assert logins("all", search_status="success") == ["petrov", "smirnov"]
    assert logins("all", search_status="empty") == ["ivanov", "petrov"]
    assert logins("all", search_status=["success", "empty"]) == ["ivanov", "petrov", "petrov", "smirnov"]
    assert logins("all", search_type="attribute") == ["petrov", "smirnov"]
    assert logins("empty", user="petrov") == ["petrov"]
    assert logins("empty", search_status="success") == ["petrov", "ivanov"]  # the empty table stays empty searches


def test_search_variables_offer_the_users_and_sources(everywhere, make_ctx):
    from smart.cabinet.variables import options_for

    world = everywhere
    found = {v["name"]: [o["value"] for o in v["options"]]
             for v in options_for(["user", "search_source"], make_ctx(world.a.dealer_admin))}
    assert {"ivanov", "petrov", "sidorov"} <= set(found["user"]) and found["user"] == sorted(found["user"])
    assert {f"user-of-{slug}" for slug in world.a.installations} <= set(found["user"])
    assert not {f"user-of-{slug}" for slug in world.b.installations} & set(found["user"])  # not another dealer's
    assert found["search_source"] == ["ksrv", "kassist"]


def test_user_cards_list_current_accounts(world, facts, make_ctx, panel):
    inst = world.a.installations["zavod-a"]
    user(inst, "ushel", last_seen=utc(2026, 9, 1))  # no longer in the newest report
    data = panel("user-cards", "cards", make_ctx(world.a.dealer_admin))
    rows = {r["name"]: r for r in data["rows"]}
    assert sorted(rows) == ["ivanov", "novikov", "petrov", "sidorov"]
    assert rows["petrov"]["phone"] == "" and rows["petrov"]["filled"] == "нет"
    assert rows["ivanov"]["department"] == "правовой отдел" and rows["ivanov"]["filled"] == "да"
    assert rows["ivanov"]["manager"] == world.a.manager.full_name
    assert data["notice"] == "Заполнено 3 карточек из 4 (75 %)."


def test_top_active_users(world, facts, make_ctx, panel):
    inst = world.a.installations["bank-a"]
    user(inst, "boss", domain="HQ")
    month_row(inst, "boss", date(2026, 11, 1), utc(2026, 11, 18), searches=100, documents_free=1000)
    month_row(inst, "boss", date(2026, 10, 1), utc(2026, 10, 31), searches=70)
    # November only (month-to-date range): boss 100; ivanov 5 + 40 + 2 + 3 + 4 = 54; petrov 6 + 1 = 7
    rows = panel("user-cards", "top20", make_ctx(world.a.dealer_admin))["rows"]
    assert [(r["name"], r["activity"], r["domain"]) for r in rows] == [
        ("boss", 100, "HQ"), ("ivanov", 54, "LAW"), ("petrov", 7, "НеОпределён")]
    # October and November: the months' sums (ivanov in October: 30 + 7 + 1)
    rows = panel("user-cards", "top20", make_ctx(world.a.dealer_admin, "2026-10-01", "2026-11-20T15:00"))["rows"]
    assert [(r["name"], r["activity"]) for r in rows] == [("boss", 170), ("ivanov", 92), ("petrov", 7)]
    assert rows[0]["dealer"] == world.a.dealer.display_name
