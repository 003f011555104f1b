"""Uploads through SMART's ASGI application in process (the streaming /upload and /api/v1/reports front end
is not Django, so the Django test client cannot reach it). Needs committed data: `transactional_db`."""
import asyncio
import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

import httpx

from smart.ingest.asgi import close_db_connections


def sysinfo_zip(marker="1") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("sysinfo.xml", f'<?xml version="1.0" encoding="utf-8"?><sysinfo marker="{marker}"/>')
    return buffer.getvalue()


def post_upload(path, *, params=None, headers=None, name="x.zip", content=None):
    from smart.asgi import application

    async def go():
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://smart.test") as client:
            return await client.post(path, params=params, headers=headers,
                                     files={"file": (name, content or sysinfo_zip())}, timeout=30)

    try:  # in a thread of its own: the browser tests' Playwright keeps an event loop on the main thread
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, go()).result()
    finally:
        close_db_connections()


def legacy_upload(dealer, token, name, marker="1"):
    return post_upload("/upload", params={"token": token}, name=f"{name}.zip", content=sysinfo_zip(marker),
                       headers={"upload": "yes", "dealer": dealer.header_value})


def api_upload(token, name, marker="1"):
    return post_upload("/api/v1/reports", headers={"Authorization": f"Bearer {token}"}, name=f"{name}.zip",
                       content=sysinfo_zip(marker))
