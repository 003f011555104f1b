"""The demo fleet: a dealer with a realistic registry, and client scripts uploading over real HTTP.

The uploaders behave like the curl scripts at clients, with the simulated fleet's files (smart.simulator.fleet):
each installation's sysinfo and status (compressed here to seconds between uploads), error pages and
stale files where the fleet has such episodes, and one script with a typo in its client name, so the
quarantine has something to show. The fleet's 13 months of history are back-filled alongside.
"""
import logging
import random
import threading
from datetime import datetime, timedelta, timezone

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


def demo_fleet(now: datetime):
    """The demo's simulated installations: the first ones are the registry's pushed installations."""
    from .fleet import Fleet

    return Fleet(seed=7, installations=len(PUSHED), start=(now - timedelta(days=396)).date(), now=now,
                 distributor=f"{DEMO_CODE}{DEMO_NAME}")


class ClientScripts(threading.Thread):
    """Uploads like the deployed smartupload/smartstatus scripts, until stopped."""

    def __init__(self, base_url: str, dealer_header: str, token: str, interval: float = 2.0, seed: int = 7):
        super().__init__(name="demo-client-scripts", daemon=True)
        self.base_url, self.dealer_header, self.token = base_url, dealer_header, token
        self.interval = interval
        self.random = random.Random(seed)
        self.stop = threading.Event()
        self.sent = 0
        self.fleet = demo_fleet(datetime.now(timezone.utc))

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
        """What the clients' scripts send now: mostly status files, sometimes a sysinfo, and once in a
        while a script with a typo in its client name (it lands in quarantine)."""
        now = datetime.now(timezone.utc)
        i = self.random.randrange(len(PUSHED))
        roll = self.random.random()
        if roll < 0.03:
            self.upload(client, "ZAVOD_ZVEZDA.zip", self.fleet.sysinfo_zip(0, now))
        elif roll < 0.6:
            data = self.fleet.status_upload(i, now)
            if data is not None:
                self.upload(client, f"{PUSHED[i]}.status", data)
        else:
            data = self.fleet.sysinfo_upload(i, now)
            if data is not None:
                self.upload(client, f"{PUSHED[i]}.zip", data)

    def run(self):
        seq = 0
        with httpx.Client(timeout=30) as client:
            while not self.stop.wait(self.interval):
                seq += 1
                try:
                    self.one_round(client, seq)
                except httpx.HTTPError as exc:
                    log.warning("demo upload failed: %s", exc)
