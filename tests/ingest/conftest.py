"""A real SMART server (uvicorn on loopback, in a thread) over the test database."""
import socket
import threading
import time

import httpx
import pytest
import uvicorn


class LiveSmart:
    def __init__(self, url):
        self.url = url

    def upload(self, content: bytes, file_name: str, token="legacy-token-0042", dealer="0042kodeks", headers=None):
        hdrs = {"upload": "yes"}
        if dealer is not None:
            hdrs["dealer"] = dealer
        hdrs.update(headers or {})
        params = {"token": token} if token is not None else {}
        return httpx.post(
            f"{self.url}/upload", params=params, headers=hdrs, files={"file": (file_name, content)}, timeout=30
        )


    def upload_raw(self, body: bytes, boundary=b"XyZ", token="legacy-token-0042", headers=None):
        """POST a hand-built body (multipart unless headers say otherwise)."""
        hdrs = {"upload": "yes", "dealer": "0042kodeks", "content-type": f"multipart/form-data; boundary={boundary.decode()}"}
        hdrs.update(headers or {})
        return httpx.post(f"{self.url}/upload", params={"token": token}, headers=hdrs, content=body, timeout=30)


def multipart(file_name: bytes, content: bytes, boundary=b"XyZ", field=b"file", close=True) -> bytes:
    """A multipart body with the file name bytes exactly as given (no client-side escaping)."""
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="' + field + b'"; filename="' + file_name + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    )
    return body + (b"--" + boundary + b"--\r\n" if close else b"")


@pytest.fixture(scope="session")
def live_smart(django_db_setup, django_db_blocker):
    from smart.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, log_level="warning", lifespan="off"))
    with django_db_blocker.unblock():
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        yield LiveSmart(f"http://127.0.0.1:{port}")
        server.should_exit = True
        thread.join(5)
        from smart.ingest.asgi import close_db_connections

        close_db_connections()


@pytest.fixture
def smart(live_smart, transactional_db):
    """The live server, with the database emptied after each test."""
    return live_smart


@pytest.fixture
def registry(transactional_db):
    """Dealer 0042kodeks with a legacy token, one pushed installation ROGA and another dealer 0077."""
    from smart.registry.models import Client, Dealer, IngestToken, Installation

    dealer = Dealer.objects.create(code="0042", name="kodeks")
    IngestToken.issue(dealer, value="legacy-token-0042")
    client = Client.objects.create(dealer=dealer, slug="ROGA", display_name="Рога и копыта")
    roga = Installation.objects.create(dealer=dealer, client=client, kind="pushed", name="ROGA")
    other = Dealer.objects.create(code="0077", name="tehex")
    IngestToken.issue(other, value="legacy-token-0077")
    oclient = Client.objects.create(dealer=other, slug="ROGA", display_name="Другие рога")
    Installation.objects.create(dealer=other, client=oclient, kind="pushed", name="ROGA")
    return {"dealer": dealer, "roga": roga, "other": other}


def attempts(**filters):
    from smart.ingest.models import UploadAttempt

    return list(UploadAttempt.objects.filter(**filters).order_by("id"))
