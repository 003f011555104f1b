"""Size limits (413 before the body is read), rate limits (429) and malformed bodies."""
import socket
import time
from urllib.parse import urlparse

import httpx

from smart.ingest.models import Report

from .conftest import attempts, multipart
from .samples import sysinfo_zip


def test_content_length_over_limit_is_413_before_the_body_is_sent(smart, registry, settings):
    settings.SMART_UPLOAD_MAX_BYTES = 1024 * 1024
    url = urlparse(smart.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(
            b"POST /upload?token=legacy-token-0042 HTTP/1.1\r\nHost: x\r\nupload: yes\r\ndealer: 0042kodeks\r\n"
            b"Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 209715200\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        answer = conn.recv(65536)  # no body byte was sent: the answer must come anyway
    assert answer.startswith(b"HTTP/1.1 413")
    assert b"100 Continue" not in answer
    assert b'"code":"too_large"' in answer
    [attempt] = attempts()
    assert (attempt.http_status, attempt.code, attempt.size) == (413, "too_large", 209715200)


def test_chunked_body_over_limit_is_413(smart, registry, settings):
    settings.SMART_UPLOAD_MAX_BYTES = 256 * 1024

    def chunks():
        yield multipart(b"ROGA.zip", b"", close=False)[:-2]
        for _ in range(64):
            yield b"\0" * 8192

    response = httpx.post(
        f"{smart.url}/upload", params={"token": "legacy-token-0042"}, content=chunks(),
        headers={"upload": "yes", "dealer": "0042kodeks", "content-type": "multipart/form-data; boundary=XyZ"},
    )
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
    assert Report.objects.count() == 0


def test_over_the_per_name_rate_is_429(smart, registry, settings):
    settings.SMART_UPLOADS_PER_NAME_PER_HOUR = 3
    codes = [smart.upload(sysinfo_zip(str(i)), "ROGA.zip").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert attempts()[-1].code == "rate_limited"
    # the limit is per stream: status files still go through
    assert smart.upload(b"kserver_up 1\n", "ROGA.status").status_code == 200


def test_not_multipart_is_400(smart, registry):
    response = smart.upload_raw(b"just bytes", headers={"content-type": "application/octet-stream"})
    assert (response.status_code, response.json()["code"]) == (400, "not_multipart")


def test_truncated_multipart_is_400(smart, registry):
    response = smart.upload_raw(multipart(b"ROGA.zip", sysinfo_zip(), close=False)[:-40])
    assert (response.status_code, response.json()["code"]) == (400, "malformed_multipart")
    assert Report.objects.count() == 0
    assert attempts()[0].code == "malformed_multipart"


def test_missing_file_field_is_400(smart, registry):
    response = smart.upload_raw(multipart(b"ROGA.zip", sysinfo_zip(), field=b"document"))
    assert (response.status_code, response.json()["code"]) == (400, "missing_file_field")


def test_two_files_is_400(smart, registry):
    body = multipart(b"ROGA.zip", sysinfo_zip(), close=False) + multipart(b"ROGA.xml", b"<x/>")
    response = smart.upload_raw(body)
    assert (response.status_code, response.json()["code"]) == (400, "several_files")


def test_temp_files_are_cleaned_after_refusals(smart, registry, settings):
    smart.upload_raw(multipart(b"../ROGA.zip", sysinfo_zip()))
    smart.upload_raw(multipart(b"ROGA.zip", sysinfo_zip(), close=False)[:-40])
    time.sleep(0.1)
    tmp = settings.SMART_ARCHIVE_DIR / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []
