"""The bundle's files: every value filled in, secrets only in curl config files, valid scheduler files."""
import configparser
import hashlib
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from smart.agent.bundle import AgentSettings, render_files

SECRET_TOKEN = "tok-Zq8v_secret-VALUE"
SECRET_PW = 'p"w\\d-Secret'


def settings(**kw):
    base = dict(name="ZAVOD-ZVEZDA", client="Завод «Звезда»", dealer="0042kodeks", smart_url="https://smart.example.ru/",
                token=SECRET_TOKEN, kte_url="http://10.0.0.5:8080", kte_password=SECRET_PW)
    base.update(kw)
    return AgentSettings(**base)


@pytest.mark.parametrize("os_name", ["linux", "windows"])
def test_no_placeholder_is_left_and_secrets_stay_in_config_files(os_name):
    files = render_files(settings(), os_name)
    for name, data in files.items():
        text = data.decode("utf-16-le" if name.endswith(".xml") else "utf-8")
        assert "{{" not in text and "{%" not in text, name
        assert not re.search(r"<(TOKEN|CLIENT|CLIENTNAME|HOST|PORT|DEALER|LOGIN|PASSWORD)>", text), name
        assert "ZAVOD-ZVEZDA" in text or name in ("kte-login.cfg", "kte-metrics.cfg", "smart.cfg", "SHA256SUMS"), name
        if name.endswith(".cfg"):
            continue
        assert SECRET_TOKEN not in text, f"{name} carries the token"
        assert "d-Secret" not in text, f"{name} carries the K/TE password"
    assert f'header = "Authorization: Bearer {SECRET_TOKEN}"' in files["smart.cfg"].decode()
    # curl config quoting: the quote and the backslash in the password are escaped
    assert 'data-urlencode = "password=p\\"w\\\\d-Secret"' in files["kte-login.cfg"].decode()
    assert 'user = "smartlogin:p\\"w\\\\d-Secret"' in files["kte-metrics.cfg"].decode()


def test_https_api_and_timestamped_copies():
    files = render_files(settings(), "linux")
    script = files["smartupload.sh"].decode()
    assert "API='https://smart.example.ru/api/v1/reports'" in script
    assert "--fail-with-body" in script and " -L" not in script  # never follow the redirect to /docs (a seat)
    assert 'rm -f "$DIR/cookies.txt" "$DIR/sysinfo.part"' in script  # the previous file is gone before fetching


def test_checksums_cover_every_file():
    files = render_files(settings(), "windows")
    sums = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(files) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest


def test_windows_scripts_have_crlf_and_task_xml_is_least_privilege():
    files = render_files(settings(), "windows")
    for name in ("smartupload.cmd", "smartstatus.cmd", "smartupload.ps1", "install.ps1"):
        text = files[name].decode()
        assert "\r\n" in text and "\n" not in text.replace("\r\n", ""), name
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    for task, minutes in (("task-smartupload.xml", "PT60M"), ("task-smartstatus.xml", "PT15M")):
        raw = files[task]
        assert raw.startswith(b"\xff\xfe")  # UTF-16 LE with BOM, as schtasks exports
        root = ET.fromstring(raw.decode("utf-16-le").lstrip("\ufeff").replace('encoding="UTF-16"', ""))
        assert root.find(".//t:MultipleInstancesPolicy", ns).text == "IgnoreNew"
        assert root.find(".//t:RunLevel", ns).text == "LeastPrivilege"
        assert root.find(".//t:LogonType", ns).text == "Password"  # runs whether the user is signed in or not
        assert root.find(".//t:UserId", ns).text == "smartagent"
        assert root.find(".//t:WorkingDirectory", ns).text == r"C:\ProgramData\SmartAgent"
        assert root.find(".//t:Interval", ns).text == minutes
        assert "Kodeks" not in root.find(".//t:Command", ns).text  # outside the product directory


def test_linux_scripts_parse_and_units_are_valid():
    files = render_files(settings(status_every_min=15), "linux")
    for name in ("smartupload.sh", "smartstatus.sh", "install.sh"):
        done = subprocess.run(["sh", "-n"], input=files[name], capture_output=True)
        assert done.returncode == 0, (name, done.stderr)
    for unit in ("smartagent-upload.service", "smartagent-status.timer"):
        parser = configparser.ConfigParser(strict=True)
        parser.read_string(files[unit].decode())
    service = configparser.ConfigParser()
    service.read_string(files["smartagent-upload.service"].decode())
    assert service["Service"]["User"] == "smartagent" and service["Service"]["NoNewPrivileges"] == "yes"
    timer = configparser.ConfigParser()
    timer.read_string(files["smartagent-status.timer"].decode())
    assert timer["Timer"]["OnUnitActiveSec"] == "15min"
    cron = [line for line in files["crontab.txt"].decode().splitlines() if line and not line.startswith("#")]
    assert len(cron) == 2 and cron[1].startswith("*/15 * * * * /opt/smartagent/smartstatus.sh")
    assert re.match(r"^\d{1,2} \* \* \* \* /opt/smartagent/smartupload.sh", cron[0])


def test_closed_network_bundle_never_uploads():
    files = render_files(settings(closed_network=True, keep=336), "linux")
    assert "UPLOAD=0" in files["smartupload.sh"].decode() and "KEEP=336" in files["smartupload.sh"].decode()
    assert "nothing is sent" in files["README.txt"].decode()
