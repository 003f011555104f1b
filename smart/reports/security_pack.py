"""The pack for a client's IT security department (D §3.5 X16): one PDF per client, in Russian, saying
exactly what SMART collects, how it travels, how long it is kept, who sees it and how to stop it, with the
checksums of the scripts the dealer deploys (the same generator as the agent bundles)."""
import hashlib
from datetime import datetime, timezone
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Avg

from smart.agent.bundle import SECRET_FILES, AgentSettings, render_files
from smart.agent.service import kte_url_of
from smart.metrics.privacy import policy_for
from smart.registry.models import Role

from .pdf import Document

INVENTORY = [
    ("Версии К/ТЭ, модулей и утилит, состав и целостность томов БД, ошибки БД, файлы OperUp (пути и даты)", False),
    ("Лицензии: продукты, сроки, число мест в рег-файле, состояние ключа защиты, менеджер лицензий", False),
    ("Название организации и регистрационный номер из рег-файла", False),
    ("Логины пользователей К/ТЭ, даты и время входа, счётчики их действий (запросы к БД, документы, печать)", True),
    ("Карточки пользователей: ФИО, телефон, e-mail, должность, подразделение; домен и группы Active Directory", True),
    ("IP-адреса и браузеры пользователей, занимающих лицензии на момент отчёта", True),
    ("Тексты поисковых запросов, их тип, каталог, время выполнения и число найденных документов", True),
    ("Метрики сервера /sysmon (доступность, занятые места, обслуживание, свободное место на дисках)", False),
]


def _users_who_see(client) -> list[tuple[str, str]]:
    from smart.cabinet import scope
    from smart.registry.models import User

    out = []
    for u in User.objects.filter(dealer=client.dealer, is_active=True).order_by("role", "full_name", "username"):
        if scope.clients(u).filter(pk=client.pk).exists():
            out.append((str(u), u.get_role_display()))
    return out


def _avg_size(inst, stream: str) -> str:
    size = (inst.reports.filter(stream=stream).order_by("-received_at")[:50]
            .aggregate(a=Avg("size"))["a"])
    if not size:
        return "—"
    return f"≈ {size / 1024:.0f} КБ" if size < 1024 * 1024 else f"≈ {size / 1024 / 1024:.1f} МБ"


def _scripts(inst) -> list[tuple[str, str, str]]:
    agent = AgentSettings(name=inst.name, client=inst.client.display_name, dealer=inst.dealer.header_value,
                          smart_url=settings.SMART_BASE_URL, token="-", kte_url=kte_url_of(inst),
                          upload_every_min=inst.expected_interval_s // 60, status_every_min=inst.status_interval_s // 60,
                          closed_network=inst.client.closed_network,
                          generated_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    rows = []
    for os_name in ("windows", "linux"):
        for name, data in sorted(render_files(agent, os_name).items()):
            if name in SECRET_FILES or name in ("SHA256SUMS", "README.txt"):
                continue
            rows.append((os_name, name, hashlib.sha256(data).hexdigest()))
    return rows


def build(client, now: datetime | None = None) -> bytes:
    now = now or datetime.now(timezone.utc)
    smart = urlsplit(settings.SMART_BASE_URL)
    port = smart.port or (443 if smart.scheme == "https" else 80)
    insts = list(client.installations.filter(archived_at__isnull=True).order_by("name"))
    accesses = list(client.online_accesses.filter(archived_at__isnull=True).order_by("firm"))
    policy = policy_for(client)
    dealer = client.dealer.display_name or client.dealer.header_value
    doc = Document(f"СМАРТ: памятка для службы ИБ — {client.display_name}",
                   f"СМАРТ · {client.display_name} · {now:%d.%m.%Y}")
    doc.h1("Мониторинг К/ТЭ сервисом СМАРТ: памятка для службы информационной безопасности")
    doc.para(f"Организация: {client.legal_name or client.display_name}. Обслуживающая организация (дилер): {dealer}. "
             f"Документ сформирован {now:%d.%m.%Y %H:%M} UTC по данным реестра СМАРТ и описывает именно ваши "
             "установки.")
    doc.h2("1. Назначение")
    doc.para("СМАРТ сообщает дилеру о неполадках системы Кодекс/Техэксперт (К/ТЭ) в реальном времени: недоступность "
             "сервера, потеря ключа, истечение лицензий, нехватка мест, ошибки и устаревание баз. Так дилер "
             "устраняет проблемы до того, как они остановят работу пользователей. СМАРТ не занимает лицензионные "
             "места и не расходует единицы онлайн-доступов.")
    doc.h2("2. Потоки данных")
    rows = []
    scheme = smart.scheme.upper()
    for inst in insts:
        if inst.kind == "pushed":
            direction = "исходящий" if not client.closed_network else "нет (закрытый контур: перенос вручную)"
            rows.append([inst.name, "скрипт smartupload → СМАРТ", f"{smart.hostname}:{port} ({scheme})", direction,
                         "токен установки (заголовок Authorization)", f"каждые {inst.expected_interval_s // 60} мин"])
            rows.append([inst.name, "скрипт smartstatus → СМАРТ", f"{smart.hostname}:{port} ({scheme})", direction,
                         "тот же токен", f"каждые {inst.status_interval_s // 60} мин"])
            rows.append([inst.name, "скрипт → К/ТЭ (внутри сети)", kte_url_of(inst), "внутренний",
                         "учётная запись smartlogin (права sysinfo, группа metrics)", "при каждом запуске"])
        else:
            rows.append([inst.name, "СМАРТ → сервер К/ТЭ: проверки", f"{inst.address}:{inst.port or ''}",
                         "входящий к серверу К/ТЭ", "smartlogin (без занятия места)",
                         f"каждые {inst.probe_interval_s} с" + ("; ICMP" if inst.ping else "")])
            if inst.download:
                rows.append([inst.name, "СМАРТ → К/ТЭ: выгрузка sysinfo и /sysmon", f"{inst.address}:{inst.port or ''}",
                             "входящий к серверу К/ТЭ", "smartlogin", f"каждые {inst.expected_interval_s // 60} мин"])
    for acc in accesses:
        rows.append([acc.firm, "СМАРТ → онлайн-доступ: счётчики, история поиска", acc.host, "к серверу поставщика",
                     f"логин {acc.login} (пароль хранится зашифрованным)", "ежечасно; история — ночью"])
    if not rows:
        rows.append(["—", "установок на мониторинге нет", "", "", "", ""])
    doc.table(["Объект", "Поток", "Адрес", "Направление", "Учётные данные", "Частота"], rows,
              widths=[26, 40, 36, 22, 34, 20], size=7)
    doc.para("Входящих подключений в сеть организации скрипты не открывают: данные только отправляются. "
             "Соединение со СМАРТ " + ("шифруется (HTTPS)." if smart.scheme == "https" else
                                        "идёт по HTTP: попросите дилера включить HTTPS."), size=9)
    if insts:
        doc.table(["Установка", "Отчёт sysinfo", "Файл метрик"],
                  [[i.name, _avg_size(i, "sysinfo"), _avg_size(i, "status")] for i in insts], widths=[60, 60, 60])
    doc.h2("3. Какие данные собираются")
    doc.table(["Данные", "Персональные данные"], [[text, "да" if pd else "нет"] for text, pd in INVENTORY],
              widths=[150, 28])
    switches = [
        "логины заменяются псевдонимами (ключевой хэш), ФИО, телефон и e-mail в карточках не сохраняются"
        if policy.pseudonymise_logins else "логины и карточки пользователей сохраняются как есть",
        "IP-адреса пользователей не сохраняются" if policy.drop_ips else "IP-адреса пользователей сохраняются",
        "тексты поисковых запросов не сохраняются (только их число и результат)" if policy.search_text_days == 0
        else (f"тексты поисковых запросов хранятся {policy.search_text_days} дн." if policy.search_text_days
              else "тексты поисковых запросов хранятся вместе с остальными данными"),
    ]
    doc.para("Настройки приватности для вашей организации (их меняет дилер по вашей просьбе):")
    doc.bullets(switches)
    doc.h2("4. Сроки хранения")
    doc.bullets([f"извлечённые показатели и события — {settings.SMART_RETENTION_MONTHS} мес., затем удаляются автоматически;",
                 f"исходные файлы отчётов — {settings.SMART_ARCHIVE_RETENTION_DAYS} дн.;",
                 "учётные данные онлайн-доступов и smartlogin — зашифрованы (Fernet) до удаления объекта из реестра."])
    doc.h2("5. Кто видит данные")
    doc.para(f"Размещение: {getattr(settings, 'SMART_HOSTING_LOCATION', '') or 'Российская Федерация'}. "
             "Доступ — только по личным учётным записям с журналом действий и выгрузок. У дилера ваши данные видят:")
    people = _users_who_see(client)
    doc.table(["Сотрудник", "Роль"], [list(p) for p in people] or [["—", ""]], widths=[110, 68])
    from smart.registry.models import User

    operators = User.objects.filter(role=Role.OPERATOR, is_active=True).count()
    doc.para(f"Операторы сервиса СМАРТ (техническая поддержка): {operators} чел.")
    doc.h2("6. Сторонние получатели")
    subs = [f"почтовый сервер оповещений: {settings.SMART_SMTP_HOST} (тексты оповещений дилеру)",
            "Telegram (только название оповещения, имя клиента, хост и важность — без логинов и запросов)"]
    if settings.SMART_ASRP_URL and any(i.upload for i in insts):
        subs.append(f"АСРП поставщика ({urlsplit(settings.SMART_ASRP_URL).hostname}): еженедельно свежий sysinfo")
    doc.bullets(subs)
    doc.h2("7. Как приостановить или отключить")
    doc.bullets([
        "Windows: schtasks /Change /TN \"SMART\\smartupload\" /DISABLE (и SMART\\smartstatus); удалить — /Delete;",
        "Linux: systemctl disable --now smartagent-upload.timer smartagent-status.timer (или crontab -r -u smartagent);",
        "дилер может отозвать токен установки в СМАРТ: загрузки с ним сразу отклоняются;",
        "для проверок с серверов СМАРТ (опрашиваемые установки) — отключить учётную запись smartlogin в К/ТЭ.",
    ])
    doc.h2("8. Контакт по инцидентам")
    contact = getattr(settings, "SMART_SECURITY_CONTACT", "") or ", ".join(
        u.email for u in client.dealer.users.filter(role=Role.DEALER_ADMIN, is_active=True).exclude(email="")) or "—"
    doc.para(contact)
    doc.h2("9. Скрипты и их контрольные суммы (SHA-256)")
    doc.para("Секреты (токен, пароли) лежат только в файлах конфигурации curl (smart.cfg, kte-*.cfg), доступных "
             "одной служебной учётной записи без прав администратора; в командной строке их нет.", size=9)
    for inst in insts:
        if inst.kind != "pushed":
            continue
        doc.para(f"Установка {inst.name}:", size=9)
        doc.table(["ОС", "Файл", "SHA-256"], [list(r) for r in _scripts(inst)], widths=[18, 45, 115], size=6.5)
    return doc.bytes()
