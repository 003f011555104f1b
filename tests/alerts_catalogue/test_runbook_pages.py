import pytest
from django.test import override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.alerts_catalogue.urls")]


def test_russian_is_the_default(client):
    response = client.get("/runbooks/KodeksIcmp")
    assert response.status_code == 200
    body = response.content.decode()
    assert response["Content-Language"] == "ru"
    assert "<h1>KodeksIcmp — сервер К/ТЭ не отвечает на ping</h1>" in body
    assert '<html lang="ru">' in body


def test_english_by_query_parameter(client):
    response = client.get("/runbooks/KodeksIcmp?lang=en")
    assert response.status_code == 200 and response["Content-Language"] == "en"
    assert "<h2>What it means</h2>" in response.content.decode()


def test_english_by_accept_language(client):
    response = client.get("/runbooks/KodeksTcpStatus", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "en"


def test_english_by_language_cookie(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/runbooks/KodeksTcpStatus")["Content-Language"] == "en"


def test_unsupported_language_falls_back_to_russian(client):
    assert client.get("/runbooks/KodeksTcpStatus?lang=de", HTTP_ACCEPT_LANGUAGE="de")["Content-Language"] == "ru"


def test_markdown_is_rendered_as_html(client):
    body = client.get("/runbooks/KodeksBehindProxyDownCount?lang=en").content.decode()
    assert '<a href="KodeksBehindProxyDown">KodeksBehindProxyDown</a>' in body
    assert "<ol><li>" in body and "<ul><li>" in body


def test_alias_redirects_to_the_canonical_name(client):
    response = client.get("/runbooks/OnlineBillingSearch150?lang=en")
    assert response.status_code == 302
    assert response["Location"] == "/runbooks/OnlineBillingSearchLeft150?lang=en"


def test_case_variant_and_legacy_md_link_redirect(client):
    assert client.get("/runbooks/KodeksDBerrorsNOCodeCount")["Location"] == "/runbooks/KodeksDBerrorsNoCodeCount"
    assert client.get("/runbooks/KodeksIcmp.md")["Location"] == "/runbooks/KodeksIcmp"


def test_unknown_alert_is_404(client):
    assert client.get("/runbooks/NoSuchAlert").status_code == 404
    assert client.get("/runbooks/..%2Fsettings").status_code == 404


@override_settings(LANGUAGE_CODE="en")
def test_default_follows_language_code(client):
    assert client.get("/runbooks/KodeksIcmp")["Content-Language"] == "en"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_runbook_page_renders(client, lang):
    from smart.alerts import catalogue

    for name in catalogue.load():
        assert client.get(f"/runbooks/{name}?lang={lang}").status_code == 200, name
