"""Every kind of bad row is reported with its line, a stable code and a reason; nothing is applied."""
import pytest

from smart.registry.models import Installation, OnlineAccess

GOOD_M = "good.example.ru:443,Иванов,a@dealer.ru,https,download,upload,process,ping,-1,3600,604800\n"
PUSHED = "romashka,Иванов,a@dealer.ru,smartupload,download,upload,process,donotping,-1,3600,604800\n"
GOOD_O = "Ромашка,login,pw,online.kodeks.ru,docs,https,Иванов,a@dealer.ru\n"
ONLINE = "Звезда,zvezda,pw,online.kodeks.ru,docs,https,Иванов,a@dealer.ru\n"

CASES = {
    "column_count": (GOOD_M + "romashka,Иванов,a@dealer.ru,smartupload,download,upload\n", "column_count"),
    "column_count_online": (GOOD_O + ONLINE.replace(",pw,", ",p,w,"), "column_count"),
    "mixed_kinds": (GOOD_M + GOOD_O + GOOD_M.replace("good.", "x."), "mixed_kinds"),
    "bad_port": (GOOD_M + GOOD_M.replace("good.example.ru:443", "x.example.ru:70000"), "bad_address"),
    "no_port": (GOOD_M + GOOD_M.replace("good.example.ru:443", "x.example.ru"), "bad_address"),
    "bad_host": (GOOD_M + GOOD_M.replace("good.example.ru:443", "bad_host!.ru:443"), "bad_address"),
    "bad_ip": (GOOD_M + GOOD_M.replace("good.example.ru:443", "300.1.1.1:443"), "bad_address"),
    "bad_client_name": (GOOD_M + PUSHED.replace("romashka", "ромашка"), "bad_client_name"),
    "client_name_with_space": (GOOD_M + PUSHED.replace("romashka", "roma shka"), "bad_client_name"),
    "unknown_manager": (GOOD_M + PUSHED.replace("Иванов", "Сидоров"), "unknown_manager"),
    "missing_manager": (GOOD_M + PUSHED.replace("Иванов", ""), "missing_manager"),
    "bad_email": (GOOD_M + PUSHED.replace("a@dealer.ru", "not-an-email"), "bad_email"),
    "bad_second_email": (GOOD_M + PUSHED.replace("a@dealer.ru", '"a@dealer.ru;b@"'), "bad_email"),
    "empty_email": (GOOD_M + PUSHED.replace("a@dealer.ru", ""), "bad_email"),
    "bad_scheme": (GOOD_M + GOOD_M.replace("https", "ftp").replace("good.", "x."), "bad_scheme"),
    "bad_flag": (GOOD_M + PUSHED.replace("upload,process", "upload,analyse"), "bad_flag"),
    "digit_flag": (GOOD_M + PUSHED.replace("download", "1"), "bad_flag"),
    "bad_ping": (GOOD_M + PUSHED.replace("donotping", "pong"), "bad_flag"),
    "bad_tz": (GOOD_M + PUSHED.replace(",-1,", ",+15,"), "bad_tz"),
    "bad_tz_name": (GOOD_M + PUSHED.replace(",-1,", ",Moscow,"), "bad_tz"),
    "bad_interval": (GOOD_M + PUSHED.replace("3600", "1h"), "bad_interval"),
    "zero_interval": (GOOD_M + PUSHED.replace("604800", "0"), "bad_interval"),
    "online_host_path": (GOOD_O + ONLINE.replace("online.kodeks.ru", "online.kodeks.ru/docs"), "bad_host"),
    "online_host_scheme": (GOOD_O + ONLINE.replace("online.kodeks.ru", "https://online.kodeks.ru"), "bad_host"),
    "online_folder_slash": (GOOD_O + ONLINE.replace(",docs,", ',"do/cs",'), "bad_folder"),
    "online_bad_scheme": (GOOD_O + ONLINE.replace("https", "ftp"), "bad_scheme"),
    "firm_too_long": (GOOD_O + ONLINE.replace("Звезда", "З" * 65), "bad_firm"),
    "empty_login": (GOOD_O + ONLINE.replace("zvezda", ""), "empty_login"),
    "empty_password": (GOOD_O + ONLINE.replace(",pw,", ",,"), "empty_password"),
    "online_unknown_manager": (GOOD_O + ONLINE.replace("Иванов", "Сидоров"), "unknown_manager"),
    "control_characters": (GOOD_O + ONLINE.replace("pw", "p\x00w"), "bad_characters"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_is_reported_with_line_code_and_reason(dealer, managers, run_import, case):
    content, code = CASES[case]
    status, result = run_import(content, "--dry-run")
    assert status == 1
    assert result["applied"] is False
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(2, code)]
    assert result["errors"][0]["reason"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_applies_nothing_without_dry_run(dealer, managers, run_import, case):
    content, _code = CASES[case]
    status, result = run_import(content)
    assert status == 1 and result["applied"] is False
    assert Installation.objects.count() == 0 and OnlineAccess.objects.count() == 0


def test_duplicate_names_report_both_lines(dealer, managers, run_import):
    status, result = run_import(GOOD_M + PUSHED + PUSHED.replace("romashka", "ROMASHKA"), "--dry-run")
    assert status == 1
    [error] = result["errors"]
    assert (error["line"], error["code"]) == (3, "duplicate")
    assert "line 2" in error["reason"]


def test_duplicate_online_identity_ignores_case(dealer, managers, run_import):
    status, result = run_import(GOOD_O + GOOD_O.replace("login", "LOGIN").replace("docs", "DOCS"))
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(2, "duplicate")]
    assert "line 1" in result["errors"][0]["reason"]


def test_ambiguous_full_name_is_an_error(dealer, managers, run_import):
    from smart.registry.models import User

    User.objects.create(username="ivanov2", full_name="иванов", dealer=dealer)
    status, result = run_import(GOOD_M, "--dry-run")
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(1, "ambiguous_manager")]


def test_manager_of_another_dealer_is_unknown(dealer, run_import):
    from smart.registry.models import Dealer, User

    other = Dealer.objects.create(code="0099", name="other")
    User.objects.create(username="ivanov", full_name="Иванов", dealer=other)
    _status, result = run_import(GOOD_M, "--dry-run")
    assert [e["code"] for e in result["errors"]] == ["unknown_manager"]


def test_name_used_as_an_alias_is_a_collision(dealer, managers, run_import):
    from smart.registry.models import Client, Installation, InstallationAlias

    client = Client.objects.create(dealer=dealer, display_name="x", slug="x")
    inst = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="x")
    InstallationAlias.objects.create(dealer=dealer, installation=inst, name="Romashka")
    _status, result = run_import(PUSHED + PUSHED.replace("romashka", "x"), "--dry-run")
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(1, "name_collision")]


def test_file_that_is_not_a_registry_file(dealer, run_import):
    status, result = run_import("hello world\n", "--dry-run")
    assert status == 1
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(None, "unknown_kind")]


def test_empty_file_is_an_error(dealer, run_import):
    status, result = run_import(b"\r\n\r\n")
    assert [e["code"] for e in result["errors"]] == ["empty_file"]


def test_explicit_kind_that_does_not_match_the_rows(dealer, managers, run_import):
    _status, result = run_import(GOOD_O, "--kind", "managers", "--dry-run")
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(1, "mixed_kinds")]
    assert "looks like a row of online.csv" in result["errors"][0]["reason"]


def test_online_row_widened_by_a_comma_is_never_read_as_managers(dealer, managers, run_import):
    status, result = run_import("Ромашка,login,pass,word,online.kodeks.ru,docs,https,Иванов,a@dealer.ru\n")
    assert (status, result["kind"]) == (1, "online")
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(1, "column_count")]
    assert "word" not in result["errors"][0]["reason"]


def test_human_output_prints_each_error_with_its_line(dealer, managers, run_import_text):
    status, text = run_import_text(GOOD_M + PUSHED.replace(",-1,", ",+15,") + PUSHED.replace("romashka", "z!"),
                                   "--dry-run")
    assert status == 1
    assert "line 2: Bad time zone '+15'" in text
    assert "line 3: 'z!' is not a valid client name" in text


def test_every_error_of_a_line_is_reported_including_the_manager(dealer, managers, run_import):
    _status, result = run_import(GOOD_M + PUSHED.replace("Иванов", "Сидоров").replace(",-1,", ",+15,"))
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(2, "bad_tz"), (2, "unknown_manager")]
