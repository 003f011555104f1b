"""The IT-security pack renders (pdftoppm), says what the registry says about this client, and is scoped."""
import os
import shutil
import subprocess

import pytest

from smart.registry.models import Client, Dealer, Installation, OnlineAccess, Role, User

PW = "a-long-password-1"
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None and os.environ.get("CI") != "true", reason="poppler-utils is not installed")


@pytest.fixture
def client_obj(dealer):
    c = Client.objects.create(dealer=dealer, slug="ZAVOD", display_name="Завод «Звезда»", legal_name="АО «Звезда»",
                              privacy_drop_ips=True, privacy_search_text_days=0)
    Installation.objects.create(dealer=dealer, client=c, kind="pushed", name="ZAVOD", expected_interval_s=3600,
                                status_interval_s=900)
    Installation.objects.create(dealer=dealer, client=c, kind="pulled", name="10234.te-cloud.ru:443",
                                address="10234.te-cloud.ru", port=443, ping=True)
    OnlineAccess.objects.create(dealer=dealer, client=c, firm="Звезда", login="zvezda", host="online.kodeks.ru",
                                folder="docs1")
    manager = User.objects.create_user("ivanova", password=PW, role=Role.MANAGER, dealer=dealer,
                                       full_name="Иванова Анна")
    c.managers.add(manager)
    User.objects.create_user("other", password=PW, role=Role.MANAGER, dealer=dealer, full_name="Петров Сергей")
    return c


def text_of(pdf: bytes, tmp_path) -> str:
    (tmp_path / "pack.pdf").write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(tmp_path / "pack.pdf"), "-"], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


@needs_poppler
def test_pack_renders_and_states_this_clients_facts(client_obj, tmp_path, settings):
    from smart.reports.security_pack import build

    settings.SMART_BASE_URL = "https://smart.dealer.example"
    pdf = build(client_obj)
    assert pdf.startswith(b"%PDF")
    done = subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-", str(tmp_path / "page")],
                          input=pdf, capture_output=True, timeout=60)
    assert done.returncode == 0 and (tmp_path / "page-1.png").stat().st_size > 5000
    text = " ".join(text_of(pdf, tmp_path).split())
    for expected in ("АО «Звезда»", "smart.dealer.example:443", "10234.te-cloud.ru", "online.kodeks.ru",
                     "каждые 60", "каждые 15", "13 мес", "35 дн", "IP-адреса пользователей не сохраняются",
                     "тексты поисковых запросов не сохраняются", "Иванова Анна", "smartupload.cmd",
                     "task-smartupload.xml", "шифруется (HTTPS)"):
        assert expected in text, expected
    assert "Петров Сергей" not in text  # a manager who does not see this client is not listed
    assert "token" not in text.lower() or "токен" in text  # no secret is printed


def test_pack_download_is_scoped(client, client_obj, dealer):
    other = Dealer.objects.create(code="0077", name="tehex")
    alien = Client.objects.create(dealer=other, slug="ALIEN", display_name="Чужой")
    assert client.login(username="ivanova", password=PW)
    resp = client.get(f"/reports/clients/{client_obj.pk}/security-pack.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    assert client.get(f"/reports/clients/{alien.pk}/security-pack.pdf").status_code == 404
    assert client.login(username="other", password=PW)
    assert client.get(f"/reports/clients/{client_obj.pk}/security-pack.pdf").status_code == 404
