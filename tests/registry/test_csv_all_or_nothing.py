"""One bad row and nothing is applied: the registry is exactly as before (E15, IM-2)."""
import pytest

from smart.registry.importer import ImportRefused, apply_import, plan_import
from smart.registry.models import Client, Installation, RegistryImport, User

from .conftest import MANAGERS_CSV


def _snapshot():
    return (
        list(Installation.objects.order_by("id").values()),
        list(Client.objects.order_by("id").values()),
        list(User.objects.order_by("id").values("id", "username")),
        RegistryImport.objects.count(),
    )


def test_one_bad_row_leaves_the_registry_unchanged(dealer, managers, run_import):
    run_import(MANAGERS_CSV)
    before = _snapshot()
    changed = MANAGERS_CSV.replace("Иванов", "Петров").replace("-1,3600", "+2,3600")
    status, result = run_import(changed + "new1,Петров,p@d.ru,smartupload,download,upload,process,ping,+99\n",
                                "--allow-remove", "--create-managers")
    assert status == 1 and result["applied"] is False
    assert result["changed"]  # the preview still shows what the good rows would do
    assert _snapshot() == before


def test_apply_refuses_a_plan_with_errors(dealer, managers):
    plan = plan_import(dealer, b"bad!name,x,a@b.ru,smartupload,download,upload,process,ping,-1\n")
    assert not plan.ok
    with pytest.raises(ImportRefused):
        apply_import(plan)
    assert Installation.objects.count() == 0 and RegistryImport.objects.count() == 0


def test_failure_in_the_middle_rolls_everything_back(dealer, managers, monkeypatch):
    from smart.registry import importer

    calls = []
    real_add = importer._add

    def add_then_fail(plan, row, clients):
        calls.append(row.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real_add(plan, row, clients)

    monkeypatch.setattr(importer, "_add", add_then_fail)
    plan = plan_import(dealer, MANAGERS_CSV.encode())
    with pytest.raises(RuntimeError):
        apply_import(plan)
    assert Installation.objects.count() == 0 and Client.objects.count() == 0
