"""The panels in Russian, the default language: titles from the original and format strings that work."""
import json

from .helpers import http

FROM, TO = "2026-11-01T00:00", "2026-11-11T00:00"


def test_panels_speak_russian(november):
    w = november
    c = http(w.admin)
    data = json.loads(c.get("/d/billing-stats/panel/billing.json", {"from": FROM, "to": TO},
                            HTTP_ACCEPT_LANGUAGE="ru").content)
    titles = [col["title"] for col in data["columns"]]
    assert titles[:8] == ["Клиент", "Логин", "Документы", "% исп. док", "Поиск", "% исп. поиска", "Печать", "Выгрузка"]
    assert "Прогноз исчерпания" in titles and data["footer"]["client"] == "Среднее"
    page = c.get("/d/billing-stats/", {"from": FROM, "to": TO}, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Биллинг Онлайн. Статистика" in page and "Осталось &quot;Документов&quot;" in page
    quarterly = json.loads(c.get("/d/quarterly/panel/clients.json", {"from": "2026-01-01T00:00", "to": TO},
                                 HTTP_ACCEPT_LANGUAGE="ru").content)
    assert "Запрошено документов, % изменения" in [col["title"] for col in quarterly["columns"]]
    year = json.loads(c.get("/d/prolongation/panel/table.json", {"from": "2026-01-01T00:00", "to": "2026-12-31T23:59"},
                            HTTP_ACCEPT_LANGUAGE="ru").content)
    assert [col["title"] for col in year["columns"]][1] == "Январь"
