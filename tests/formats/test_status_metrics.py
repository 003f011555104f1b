"""The Prometheus body is parsed by prometheus_client; CRLF, comments and timestamps are fine."""
from .samples import parse

BODY = (
    b"date: Tue, 14 May 2024 10:00:00 GMT\r\n"
    b"# HELP kserver_main_page Main page assembled correctly (0 = fine).\r\n"
    b"# TYPE kserver_main_page gauge\r\n"
    b'kserver_main_page{service="kodweb",path="/docs"} 0\r\n'
    b'kserver_product_control{service="kodweb",path="/docs",status="ok"} 1 1715680800000\r\n'
    b"# a free comment\r\n"
)


def test_families_and_samples():
    status = parse(BODY).status
    assert status.value("kserver_main_page", path="/docs") == 0.0
    assert status.value("kserver_product_control", service="kodweb") == 1.0
    [sample] = status.samples("kserver_product_control")
    assert sample.labels == {"service": "kodweb", "path": "/docs", "status": "ok"}
    assert sample.timestamp == 1715680800.0


def test_help_and_type_are_kept():
    family = next(f for f in parse(BODY).status.families if f.name == "kserver_main_page")
    assert family.type == "gauge" and family.documentation.startswith("Main page")


def test_missing_series_is_none_not_an_error():
    assert parse(BODY).status.value("kserver_up") is None


def test_full_curl_i_head_is_skipped():
    data = (b"HTTP/1.1 200 OK\r\nServer: WWW-Kodeks/6.4\r\nDate: Tue, 14 May 2024 10:00:00 GMT\r\n"
            b"Content-Type: text/plain; version=0.0.4\r\n\r\nkserver_up 1\r\n")
    parsed = parse(data)
    assert parsed.kind == "status" and parsed.status.value("kserver_up") == 1.0


def test_appended_runs_keep_only_the_last():
    run = b"date: Tue, 14 May 2024 %s GMT\nkserver_up %s\n"
    parsed = parse(run % (b"10:00:00", b"1") + run % (b"10:15:00", b"0"))
    assert parsed.status.value("kserver_up") == 0.0 and parsed.observed_at.minute == 15
    assert any("earlier" in w for w in parsed.warnings)
