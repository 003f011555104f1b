"""File names: path tricks, bad extensions and bad client names get specific 400 answers."""
import pytest

from smart.ingest.models import Report

from .conftest import attempts, multipart
from .samples import sysinfo_zip


@pytest.mark.parametrize(
    "name",
    ["../ROGA.zip", "a/ROGA.zip", "..\\ROGA.zip", "C:\\temp\\ROGA.zip", "RO\x01GA.zip", "RO\x00GA.zip",
     "ROGA\u202e.zip", "R" * 200 + ".zip", ".zip", "ROGA..zip"],
)
def test_path_tricks_are_bad_file_name(smart, registry, name):
    response = smart.upload_raw(multipart(name.encode("utf-8"), sysinfo_zip()))
    assert (response.status_code, response.json()["code"]) == (400, "bad_file_name")
    assert Report.objects.count() == 0
    assert attempts()[0].code == "bad_file_name"


def test_unsupported_extension(smart, registry):
    response = smart.upload(sysinfo_zip(), "ROGA.exe")
    assert (response.status_code, response.json()["code"]) == (400, "unsupported_extension")


def test_cyrillic_client_name_is_refused_with_reason(smart, registry):
    response = smart.upload(sysinfo_zip(), "Рога.zip")
    assert (response.status_code, response.json()["code"]) == (400, "bad_client_name")
    assert attempts()[0].file_name == "Рога.zip"


def test_name_case_insensitive_match(smart, registry):
    response = smart.upload(sysinfo_zip(), "roga.zip")
    assert response.status_code == 200
    assert Report.objects.get().installation == registry["roga"]
