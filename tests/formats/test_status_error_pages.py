"""Collector error output saved as a .status: error pages and empty files (E3, D §3.5 X6)."""
import pytest

from .samples import failure

HTML_401 = (b"HTTP/1.1 401 Unauthorized\r\nServer: WWW-Kodeks/6.4\r\nWWW-Authenticate: Basic\r\n"
            b"Content-Type: text/html\r\n\r\n<html><head><title>401 Unauthorized</title></head></html>")
HTML_503 = (b"date: Tue, 14 May 2024 03:00:00 GMT\r\nHTTP/1.1 503 Service Unavailable\r\n"
            b"Content-Type: text/html\r\n\r\n<html><body><h1>Maintenance</h1></body></html>")


@pytest.mark.parametrize("data, status", [(HTML_401, 401), (HTML_503, 503)])
def test_curl_i_error_responses(data, status):
    exc = failure(data)
    assert (exc.status, exc.http_status) == ("error_page", status)
    assert exc.collector_error


def test_bare_status_line_without_body():
    exc = failure(b"HTTP/1.1 503 Service Unavailable\r\n\r\n")
    assert (exc.status, exc.http_status) == ("error_page", 503)


def test_html_page_without_headers():
    exc = failure(b"<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>")
    assert (exc.status, exc.http_status) == ("error_page", 404)


def test_login_page_served_with_200():
    exc = failure(b"HTTP/1.1 200 OK\r\n\r\n<html><body>Login</body></html>")
    assert exc.status == "error_page"


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"date: Tue, 14 May 2024 10:00:00 GMT\r\n",
                                  b"HTTP/1.1 200 OK\r\nDate: Tue, 14 May 2024 10:00:00 GMT\r\n\r\n"])
def test_empty_collector_output(data):
    exc = failure(data)
    assert exc.status == "empty" and exc.collector_error


def test_help_lines_without_samples_are_empty():
    assert failure(b"date: Tue, 14 May 2024 10:00:00 GMT\n# HELP x y\n# TYPE x gauge\n").status == "empty"
