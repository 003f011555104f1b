"""User cards (B §C): the user (login) filter narrows both tables, the card search narrows the cards; both as
dashboard variables in the URL (var-user, var-card_search), values worked out from the `facts` inputs."""
from django.test import Client

from .data import month_row, user, utc

ALL_CARDS = ["ivanov", "novikov", "petrov", "sidorov"]  # zavod-a's accounts in `facts`


def _cards(panel, make_ctx, world, **filters):
    return panel("user-cards", "cards", make_ctx(world.a.dealer_admin, **filters))


def _logins(data):
    return [r["name"] for r in data["rows"]]


def test_the_user_filter_narrows_the_cards_and_the_top(world, facts, make_ctx, panel):
    assert _logins(_cards(panel, make_ctx, world)) == ALL_CARDS
    assert _logins(_cards(panel, make_ctx, world, user="petrov")) == ["petrov"]
    assert _logins(_cards(panel, make_ctx, world, user=["sidorov", "ivanov"])) == ["ivanov", "sidorov"]
    assert _cards(panel, make_ctx, world, user="petrov")["notice"] == "Заполнено 0 карточек из 1 (0 %)."
    # November: ivanov 5 + 40 + 2 + 3 + 4 = 54, petrov 6 + 1 = 7
    top = panel("user-cards", "top20", make_ctx(world.a.dealer_admin))["rows"]
    assert [(r["name"], r["activity"]) for r in top] == [("ivanov", 54), ("petrov", 7)]
    top = panel("user-cards", "top20", make_ctx(world.a.dealer_admin, user="petrov"))["rows"]
    assert [(r["name"], r["activity"]) for r in top] == [("petrov", 7)]
    assert panel("user-cards", "top20", make_ctx(world.a.dealer_admin, user="nobody"))["rows"] == []


def test_the_card_search_matches_any_card_field_ignoring_case(world, facts, make_ctx, panel):
    def found(text, **more):
        return _logins(_cards(panel, make_ctx, world, card_search=text, **more))

    assert found("ПРАВОВОЙ") == ["ivanov", "novikov", "sidorov"]  # department, Cyrillic in another case
    assert found("иванов") == ALL_CARDS  # every full name
    assert found("Ivanov@Client") == ["ivanov"]  # e-mail
    assert found("+7 900") == ["ivanov", "novikov", "sidorov"]  # phone
    assert found("trov") == ["petrov"]  # the login
    assert found("юрист", user="novikov") == ["novikov"]  # with the user filter
    assert found("nothing-like-this") == []
    assert found("  ") == ALL_CARDS  # blank text: no filter
    data = _cards(panel, make_ctx, world, card_search="правовой")
    assert data["notice"] == "Заполнено 3 карточек из 3 (100 %)."
    # the top-20 has no card fields: the search leaves it alone
    top = panel("user-cards", "top20", make_ctx(world.a.dealer_admin, card_search="правовой"))["rows"]
    assert [r["name"] for r in top] == ["ivanov", "petrov"]


def test_the_search_skips_removed_accounts_and_other_dealers(world, facts, make_ctx, panel):
    user(world.a.installations["zavod-a"], "ivanova-old", last_seen=utc(2026, 9, 1))  # no longer reported
    user(world.b.installations[next(iter(world.b.installations))], "ivanov-b")
    assert _logins(_cards(panel, make_ctx, world, card_search="ivanov")) == ["ivanov"]


def test_filters_come_from_the_url_and_show_on_the_page(world, facts):
    c = Client()
    c.force_login(world.a.dealer_admin)
    base = "/d/user-cards/panel/cards.json?from=2026-11-01&to=2026-11-20T15:00"
    rows = c.get(base + "&var-card_search=%D0%BF%D1%80%D0%B0%D0%B2%D0%BE%D0%B2%D0%BE%D0%B9").json()["rows"]
    assert [r["name"] for r in rows] == ["ivanov", "novikov", "sidorov"]  # "правовой"
    rows = c.get(base + "&var-card_search=__all&var-user=petrov&var-user=ivanov").json()["rows"]
    assert [r["name"] for r in rows] == ["ivanov", "petrov"]
    month_row(world.a.installations["zavod-a"], "sidorov", utc(2026, 11, 1).date(), utc(2026, 11, 3), prints=9)
    top = c.get("/d/user-cards/panel/top20.json?from=2026-11-01&to=2026-11-20T15:00&var-user=sidorov").json()["rows"]
    assert [(r["name"], r["activity"]) for r in top] == [("sidorov", 9)]
    page = c.get("/d/user-cards/?from=2026-11-01&to=2026-11-20T15:00&var-card_search=юрист").content.decode()
    assert 'data-var-text="card_search"' in page and 'value="юрист"' in page and "Поиск по карточкам" in page
    assert 'data-var="user"' in page and 'value="petrov"' in page and "Пользователь" in page


def test_variable_options(world, facts, make_ctx):
    from smart.cabinet.variables import options_for

    found = {v["name"]: v for v in options_for(["user", "card_search"],
                                               make_ctx(world.a.dealer_admin, card_search="юрист"))}
    assert set(ALL_CARDS) <= {o["value"] for o in found["user"]["options"]}
    assert found["user"]["kind"] == "options"
    assert found["card_search"]["kind"] == "text" and found["card_search"]["options"] == []
    assert found["card_search"]["selected"] == ["юрист"]
