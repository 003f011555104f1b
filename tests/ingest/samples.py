"""Small report files for ingest tests."""
import io
import zipfile


def sysinfo_zip(marker: str = "1") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sysinfo.xml", f'<?xml version="1.0" encoding="utf-8"?><sysinfo marker="{marker}"/>')
    return buffer.getvalue()


STATUS = (
    b"date: Thu, 26 Nov 2026 10:00:00 GMT\r\n"
    b'kserver_main_page{service="kodweb",path="/docs"} 0\r\n'
    b'kserver_product_control{service="kodweb",path="/docs"} 0\r\n'
)

ERROR_PAGE_401 = (
    b"HTTP/1.1 401 Unauthorized\r\nServer: WWW-Kodeks/6.4\r\nContent-Type: text/html\r\n\r\n"
    b"<html><head><title>401 Unauthorized</title></head><body><h1>401</h1></body></html>"
)
