"""Calling a stand-in's control endpoint from a CLI command: the JSON answer, or a CommandError that
says which endpoint failed and why."""
import httpx
from django.core.management.base import CommandError


def control_request(method: str, url: str, what: str = "control endpoint", **kwargs) -> dict:
    try:
        response = httpx.request(method, url, timeout=10, **kwargs)
    except httpx.HTTPError as exc:
        raise CommandError(f"{what} {url}: {exc}") from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text
        raise CommandError(f"{what} {url}: HTTP {response.status_code}: {detail}")
    return response.json()
