"""Shared fixtures for the registry CSV tests: two managers, canonical files, a command runner."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

# Canonical files: what export-registry writes (sorted, `,`, CRLF, UTF-8 without BOM).
MANAGERS_CSV = (
    "cloud1.te-cloud.ru:443,Иванов,ivanov@dealer.ru,https,download,upload,process,ping,-1,3600,604800\r\n"
    "dc.example.ru:8080,Петров,petrov@dealer.ru,http,download,upload,process,donotping,0,3600,604800\r\n"
    "romashka,Иванов,ivanov@dealer.ru;support@dealer.ru,smartupload,download,upload,process,donotping,+2\r\n"
    "zvezda,Петров,petrov@dealer.ru,smartupload,download,noupload,process,donotping,-1,1800,604800\r\n"
)
ONLINE_CSV = (
    "Звезда,zvezda,secret-2,online.kodeks.ru,docs2,http,Петров,petrov@dealer.ru\r\n"
    '"ООО ""Ромашка, и сыновья""",romashka,"p,a""ss",online.kodeks.ru,docs,https,Иванов,ivanov@dealer.ru\r\n'
)


@pytest.fixture(autouse=True)
def _english():
    """Tests read English reasons; the product speaks Russian once translations exist."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def managers(dealer):
    """Two managers of the dealer, written in the files by their full names."""
    from smart.registry.models import Role, User

    ivanov = User.objects.create(username="ivanov", full_name="Иванов", dealer=dealer, role=Role.MANAGER)
    petrov = User.objects.create(username="petrov", full_name="Петров", dealer=dealer, role=Role.MANAGER)
    return ivanov, petrov


@pytest.fixture
def run_import(tmp_path, dealer):
    """Run `import-registry --json` on text or bytes; returns (exit status, the JSON object)."""
    counter = iter(range(1, 1000))

    def run(content, *args, encoding="utf-8", name="registry.csv"):
        path = tmp_path / f"{next(counter)}-{name}"
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        out = io.StringIO()
        try:
            call_command("import-registry", "--dealer", dealer.code, str(path), "--json", *args, stdout=out)
            status = 0
        except CommandError as exc:
            status = exc.returncode
        return status, json.loads(out.getvalue())

    return run


@pytest.fixture
def run_import_text(tmp_path, dealer):
    """Run `import-registry` with human output; returns (exit status, the printed text)."""

    def run(content, *args, encoding="utf-8"):
        path = tmp_path / "human.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        out = io.StringIO()
        try:
            call_command("import-registry", "--dealer", dealer.code, str(path), *args, stdout=out)
            status = 0
        except CommandError as exc:
            status = exc.returncode
        return status, out.getvalue()

    return run
