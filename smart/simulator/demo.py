"""The demo fleet: a dealer with a realistic registry, and client scripts uploading over real HTTP.

The uploaders behave like the curl scripts at clients: each installation sends its sysinfo hourly and
its status every 15 minutes (compressed here to seconds), some send error pages or stale files, and one
script has a typo in its client name, so the quarantine has something to show.
"""
import io
import logging
import random
import threading
import time
import zipfile
from datetime import datetime, timezone

import httpx

log = logging.getLogger("smart.demo")

DEMO_CODE = "DEMO"
DEMO_NAME = "kodeks"
DEMO_TOKEN = "demo-legacy-token"

MANAGERS = [
    ("ivanova", "Иванова Анна", "ivanova@demo-dealer.ru"),
    ("petrov", "Петров Сергей", "petrov@demo-dealer.ru"),
    ("sidorova", "Сидорова Мария", "sidorova@demo-dealer.ru"),
    ("kuznetsov", "Кузнецов Олег", "kuznetsov@demo-dealer.ru"),
]

PUSHED = [
    "ZAVOD-ZVEZDA", "MUP-VODOKANAL", "ADM-SARATOV", "STROYTREST-7", "BANK-VOLGA", "POLIKLINIKA-3",
    "TEPLOSET", "UNIVERSITET-SGU", "AVTOZAVOD", "KHLEBOZAVOD-2", "NOTARIUS-PETROVA", "ENERGOSBYT",
    "GAZSERVIS", "LOGISTIK-PLUS", "SUD-OKTYABR", "SHKOLA-45", "APTEKA-ZDOROVIE", "STROYMASH",
    "MOLOKO-AGRO", "TRANSNEFT-VOLGA",
]
PULLED = ["10234.te-cloud.ru:443", "10876.te-cloud.ru:443", "kodeks.dc-dealer.ru:8080", "195.12.44.7:80"]
ONLINE = [
    ("ООО \"Ромашка\"", "romashka", "Pa55,word"),
    ("ИП Смирнов А.В.", "smirnov_av", "s3cret"),
    ("АО Волгоградэнерго", "vgenergo", "Vg!2026"),
    ("ООО СтройИнвест", "stroyinvest", "si-pass"),
    ("Адвокатское бюро \"Право\"", "pravo", "pr@vo"),
    ("ТСЖ Солнечный", "tsj_solnce", "sun_1"),
]
TZ = ["-1", "-1", "-1", "0", "+1", "+2", "-1", "0"]


def managers_csv() -> bytes:
    lines = []
    for i, address in enumerate(PULLED):
        login, _, email = MANAGERS[i % len(MANAGERS)]
        lines.append(f"{address},{login},{email},https,download,upload,process,ping,-1,3600,604800")
    for i, name in enumerate(PUSHED):
        login, _, email = MANAGERS[i % len(MANAGERS)]
        row = f"{name},{login},{email},smartupload,download,upload,process,donotping,{TZ[i % len(TZ)]}"
        lines.append(row if i % 5 == 4 else row + ",3600,604800")  # some pre-04-2026 rows
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def online_csv() -> bytes:
    lines = []
    for i, (firm, login, password) in enumerate(ONLINE):
        manager, _, email = MANAGERS[i % len(MANAGERS)]
        quoted = '"' + firm.replace('"', '""') + '"'
        lines.append(f'{quoted},{login},"{password}",online.kodeks.ru,docs{i % 2 + 1},https,{manager},{email}')
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")  # as Excel saves it on a Russian Windows


def sample_sysinfo(name: str, seq: int) -> bytes:
    """A zipped sysinfo-like XML (the full reference format comes from the fleet generator)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    xml = f'<?xml version="1.0" encoding="utf-8"?>\n<sysinfo client="{name}" generated="{now}" seq="{seq}"/>\n'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sysinfo.xml", xml)
    return buffer.getvalue()


def sample_status(seq: int, up: bool = True) -> bytes:
    stamp = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    return (
        f"date: {stamp}\r\n"
        f'kserver_main_page{{service="kodweb",path="/docs"}} {0 if up else 1}\r\n'
        f'kserver_product_control{{service="kodweb",path="/docs",status="ok"}} 0\r\n'
        f"# seq {seq}\r\n"
    ).encode()


ERROR_PAGE = (
    b"HTTP/1.1 401 Unauthorized\r\nServer: WWW-Kodeks/6.4\r\n\r\n"
    b"<html><head><title>401 Unauthorized</title></head><body>Access denied</body></html>"
)


class ClientScripts(threading.Thread):
    """Uploads like the deployed smartupload/smartstatus scripts, until stopped."""

    def __init__(self, base_url: str, dealer_header: str, token: str, interval: float = 2.0, seed: int = 7):
        super().__init__(name="demo-client-scripts", daemon=True)
        self.base_url, self.dealer_header, self.token = base_url, dealer_header, token
        self.interval = interval
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.sent = 0

    def upload(self, client: httpx.Client, file_name: str, content: bytes) -> int:
        response = client.post(
            f"{self.base_url}/upload",
            params={"token": self.token},
            headers={"upload": "yes", "dealer": self.dealer_header, "user-agent": "curl/8.5.0"},
            files={"file": (file_name, content)},
        )
        self.sent += 1
        log.info("upload %-28s → %s %s", file_name, response.status_code, response.text[:80])
        return response.status_code

    def one_round(self, client: httpx.Client, seq: int) -> None:
        name = self.random.choice(PUSHED)
        roll = self.random.random()
        if roll < 0.05:
            self.upload(client, f"{name}.status", ERROR_PAGE)  # smartlogin lost its /sysmon right
        elif roll < 0.08:
            self.upload(client, "ZAVOD_ZVEZDA.zip", sample_sysinfo("ZAVOD_ZVEZDA", seq))  # typo: quarantine
        elif roll < 0.55:
            self.upload(client, f"{name}.status", sample_status(seq, up=self.random.random() > 0.1))
        else:
            self.upload(client, f"{name}.zip", sample_sysinfo(name, seq))

    def run(self):
        seq = 0
        with httpx.Client(timeout=30) as client:
            while not self.stop.wait(self.interval):
                seq += 1
                try:
                    self.one_round(client, seq)
                except httpx.HTTPError as exc:
                    log.warning("demo upload failed: %s", exc)
