"""db_error: the newest sysinfo's DB error entries → KodeksDBerrors* per volume, message or code; the
K/TE error-code catalogue (D §2) behind their priorities and messages."""
import json
import re
from datetime import timedelta

import pytest

from smart.alerts.conditions.kte_errors import CODES_PATH, describe, normalised
from smart.alerts.conditions.reports import db_error
from smart.alerts.conditions.scope import Scope
from smart.alerts.engine import evaluate

from .build import now, report, status_file

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
CONNECTED = ("volume", None, None, "Том базы данных уже подключен")
PROTECT = ("volume", None, None, "Invalid protect string")
E2007 = ("product", 2007, 4103, "Ошибка защиты (2007): нет прав на использование данной копии БД")
E4103 = ("product", 4103, None, "Ошибка защиты (4103): продукт не найден")
E53 = ("os", 53, None, r"Не удалось открыть файл \\nas\kodeks\zakon (ошибка 53): Не найден сетевой путь")
E603 = ("volume", 603, None, "Запись не найдена (603)")
E9999 = ("volume", 9999, None, "Неизвестная ошибка (9999)")


def test_uncoded_errors_fire_per_volume_and_message(deliver, roga, alert, state):
    t0 = now() - 3 * H
    deliver(report(t0, errors={"zakon": [CONNECTED, PROTECT], "gost": [CONNECTED]}))
    keys = {f"i{roga.id}|vol:zakon|msg:том базы данных уже подключен",
            f"i{roga.id}|vol:zakon|msg:invalid protect string",
            f"i{roga.id}|vol:gost|msg:том базы данных уже подключен"}
    assert {k for k in keys if state("KodeksDBerrorsNoCode", k) == "firing"} == keys
    found = alert("KodeksDBerrorsNoCode", f"i{roga.id}|vol:gost|msg:том базы данных уже подключен")
    assert found.detail == "ROGA: DB error without a code on volume gost: «Том базы данных уже подключен»"
    assert found.labels["message"] == "том базы данных уже подключен" and found.pending_since == t0
    deliver(report(t0 + H, errors={"zakon": [PROTECT], "gost": []}))
    assert {k: state("KodeksDBerrorsNoCode", k) for k in keys} == {
        f"i{roga.id}|vol:zakon|msg:том базы данных уже подключен": "resolved",
        f"i{roga.id}|vol:zakon|msg:invalid protect string": "firing",
        f"i{roga.id}|vol:gost|msg:том базы данных уже подключен": "resolved"}


def test_2007_and_its_alias_4103_are_one_error_per_volume_and_not_xxx(deliver, roga, alert, state):
    deliver(report(now() - H, errors={"zakon": [E2007], "gost": [E4103], "norm": []}))
    for volume in ("zakon", "gost"):
        found = alert("KodeksDBerrorsCode2007", f"i{roga.id}|vol:{volume}")
        assert found.state == "firing" and found.value == "2007" and found.labels["code"] == 2007
    assert "error 2007 on volume gost: no right to use this DB copy" in alert(
        "KodeksDBerrorsCode2007", f"i{roga.id}|vol:gost").detail
    assert not [k for k in (f"i{roga.id}|vol:zakon|code:2007", f"i{roga.id}|vol:gost|code:2007")
                if state("KodeksDBerrorsCodeXXX", k)]


def test_other_codes_fire_per_volume_and_code_with_the_codes_priority(deliver, roga, alert, state):
    t0 = now() - 3 * H
    deliver(report(t0, errors={"zakon": [E53, E603], "gost": [E9999]}))
    network = alert("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:zakon|code:53")
    assert network.state == "firing" and network.labels["priority"] == "P1"
    assert "error 53 on volume zakon: cannot open the volume file: the network path was not found" in network.detail
    assert alert("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:zakon|code:603").labels["priority"] == "P4"
    unknown = alert("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:gost|code:9999")
    assert "unknown code" in unknown.detail and unknown.labels["priority"] == "P2" and unknown.labels["unknown_code"]
    deliver(report(t0 + H, errors={"zakon": [E603], "gost": []}))
    assert state("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:zakon|code:53") == "resolved"
    assert state("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:zakon|code:603") == "firing"


def test_only_reports_under_two_hours_old_count(deliver, roga, state):
    t0 = now() - 5 * H
    deliver(report(t0, errors={"zakon": [E2007]}))
    assert state("KodeksDBerrorsCode2007", f"i{roga.id}|vol:zakon") == "firing"
    evaluate(t0 + 2 * H - timedelta(seconds=1), names={"KodeksDBerrorsCode2007"})
    assert state("KodeksDBerrorsCode2007", f"i{roga.id}|vol:zakon") == "firing"
    evaluate(t0 + 2 * H + timedelta(seconds=1), names={"KodeksDBerrorsCode2007"})
    assert state("KodeksDBerrorsCode2007", f"i{roga.id}|vol:zakon") == "resolved"


def test_an_older_report_listing_an_error_does_not_raise_it(deliver, roga, state):
    t0 = now() - 5 * H
    deliver(report(t0 + H, errors={"zakon": []}))
    deliver(report(t0, errors={"zakon": [E2007, E53]}))
    assert state("KodeksDBerrorsCode2007", f"i{roga.id}|vol:zakon") is None
    assert state("KodeksDBerrorsCodeXXX", f"i{roga.id}|vol:zakon|code:53") is None


def test_share_of_volumes_needs_the_volume_count_of_the_status_file(deliver, roga):
    t0 = now() - 2 * H
    condition = {"kind": "db_error", "codes": [2007], "exclude_codes": [], "max_report_age_s": 7200,
                 "per": ["volume"], "min_share_of_volumes": 0.5}
    deliver(report(t0, errors={"zakon": [E2007], "gost": [E4103]}))
    assert db_error(condition, Scope(t0)) == {}  # the volume count is unknown
    deliver(status_file(t0 + timedelta(minutes=5), volumes=4), "ROGA.status")
    assert set(db_error(condition, Scope(t0))) == {f"i{roga.id}|vol:zakon", f"i{roga.id}|vol:gost"}
    deliver(status_file(t0 + timedelta(minutes=20), volumes=5), "ROGA.status")
    assert db_error(condition, Scope(t0)) == {}


def test_the_code_catalogue_has_every_code_of_d2_and_normalises_aliases():
    codes = json.loads(CODES_PATH.read_text(encoding="utf-8"))["codes"]
    assert sorted(c["code"] for c in codes) == sorted([5, 6, 50, 665, 4111, 4112, 4113, 4116, 4117, 4118, 2007, 2008,
                                                       2010, 2020, 2021, 51, 600, 601, 603, 610, 613, 615, 619, 669,
                                                       696, 793, 792, 794, 970, 954, 955, 4101, 2, 3, 5, 53, 64, 67])
    assert all(re.fullmatch(r"P[1-4]", c["priority"]) and c["meaning"] for c in codes)
    assert [normalised("product", 4103, None), normalised("product", 2007, 4103), normalised("", None, 4106)] == \
        [2007, 2007, 2008]
    assert normalised("", 4109, None) == 2010 and normalised("product", 4107, None) == 4107  # 4107 is regfile's
    assert normalised("product", 4101, None) == 2020 and normalised("operup", 4101, None) == 4101
    assert normalised("", 4101, None) == 4101  # ambiguous without a group: kept as it is
    assert describe("os", 5)["priority"] == "P1" and "access is denied" in describe("os", 5)["meaning"]
    assert "invalid licence" in describe("regfile", 5)["meaning"]
    assert describe("", 5) is None and describe("", 53)["group"] == "os"
