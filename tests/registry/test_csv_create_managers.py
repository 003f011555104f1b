"""Unknown managers: an error, or new users with --create-managers (D §5.3)."""
from smart.registry.importer import export_registry
from smart.registry.models import Installation, Role, User

ROWS = ("romashka,Сидорова Анна,sidorova@dealer.ru;boss@dealer.ru,smartupload,download,upload,process,donotping,-1\n"
        "zvezda,сидорова анна,other@dealer.ru,smartupload,download,upload,process,donotping,-1\n")


def test_unknown_manager_without_the_option_is_an_error_per_line(dealer, run_import):
    status, result = run_import(ROWS)
    assert status == 1
    assert [(e["line"], e["code"]) for e in result["errors"]] == [(1, "unknown_manager"), (2, "unknown_manager")]


def test_create_managers_creates_one_user_per_name(dealer, run_import):
    status, result = run_import(ROWS, "--create-managers")
    assert status == 0
    assert result["new_managers"] == [{"line": 1, "name": "Сидорова Анна", "email": "sidorova@dealer.ru"}]
    user = User.objects.get(dealer=dealer)
    assert (user.full_name, user.email, user.role) == ("Сидорова Анна", "sidorova@dealer.ru", Role.MANAGER)
    assert user.username == "sidorova-anna" and not user.has_usable_password()
    assert set(Installation.objects.values_list("manager", flat=True)) == {user.id}


def test_created_manager_is_exported_by_full_name_and_reimports_cleanly(dealer, run_import):
    run_import(ROWS, "--create-managers")
    exported = export_registry(dealer, "managers")
    assert ",Сидорова Анна," in exported.decode()
    _status, again = run_import(exported)
    assert (again["added"], again["changed"], again["errors"]) == ([], [], [])


def test_username_taken_by_another_dealer_gets_a_suffix(dealer, run_import):
    from smart.registry.models import Dealer

    other = Dealer.objects.create(code="0099", name="other")
    User.objects.create(username="sidorova-anna", dealer=other)
    run_import(ROWS, "--create-managers")
    assert User.objects.get(dealer=dealer).username == "sidorova-anna-2"
