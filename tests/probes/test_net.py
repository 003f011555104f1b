"""Low-level probes over real loopback sockets: TCP, the lean HTTP GET, ICMP, page classification."""
import asyncio
import socket

import pytest

from smart.probes import net
from smart.probes.checks import classify


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _serve(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def test_tcp_open_and_refused():
    async def main():
        server, port = await _serve(lambda r, w: w.close())
        async with server:
            latency = await net.tcp_connect("127.0.0.1", port, 2)
        with pytest.raises(net.ProbeError) as err:
            await net.tcp_connect("127.0.0.1", _free_port(), 2)
        return latency, err.value.kind

    latency, kind = asyncio.run(main())
    assert 0 <= latency < 1000
    assert kind == "refused"


def test_http_get_reads_status_headers_and_capped_body():
    async def handler(reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        assert request.startswith(b"GET /docs HTTP/1.1") and b"host: kodeks.example:8080" in request.lower()
        body = b"x" * 200000
        writer.write(b"HTTP/1.1 200 OK\r\nServer: test\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    async def main():
        server, port = await _serve(handler)
        async with server:
            return await net.http_get("127.0.0.1", port, "/docs", host_header="kodeks.example:8080", max_body=1000)

    answer = asyncio.run(main())
    assert answer.status == 200 and answer.headers["server"] == "test" and len(answer.body) == 1000


def test_http_get_garbage_is_a_protocol_error():
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"SSH-2.0-OpenSSH_9.2\r\n")
        await writer.drain()
        writer.close()

    async def main():
        server, port = await _serve(handler)
        async with server:
            with pytest.raises(net.ProbeError) as err:
                await net.http_get("127.0.0.1", port, "/", host_header="x")
        return err.value.kind

    assert asyncio.run(main()) == "protocol_error"


def test_http_get_times_out_on_a_silent_server():
    async def handler(reader, writer):
        await asyncio.sleep(5)

    async def main():
        server, port = await _serve(handler)
        async with server:
            with pytest.raises(net.ProbeError) as err:
                await net.http_get("127.0.0.1", port, "/", host_header="x", timeout=0.3)
        return err.value.kind

    assert asyncio.run(main()) == "timeout"


def test_dns_failure_is_named():
    async def main():
        with pytest.raises(net.ProbeError) as err:
            await net.resolve("no-such-host.invalid", 80)
        return err.value.kind

    assert asyncio.run(main()) == "dns_failed"


def test_icmp_to_loopback():
    alive, rtt, detail = asyncio.run(net.icmp_ping("127.0.0.1", count=1))
    assert alive and rtt is not None and "1/1" in detail


@pytest.mark.parametrize("status, body, state", [
    (200, '<div id="kodeks-main">Кодекс</div>', "ok"),
    (200, '<div id="kodeks-main"></div><div class="kodeks-service-message">Требуется обслуживание сервера</div>', "need_support"),
    (503, "<h1>Сервер на обслуживании</h1>", "maintenance"),
    (503, "<h1>503 Service Temporarily Unavailable</h1><center>nginx</center>", "proxy_error"),
    (502, "<center>nginx</center>", "proxy_error"),
    (504, "", "proxy_error"),
    (500, "Внутренняя ошибка сервера", "server_error"),
    (200, "<html>Welcome to nginx!</html>", "unexpected_page"),
    (404, "", "http_error"),
])
def test_main_page_classification(status, body, state):
    assert classify(status, body) == state
