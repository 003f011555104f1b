"""Runbook pages: `/runbooks/<AlertName>` in Russian (default) or English."""
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from . import catalogue, markdown_lite


def _language(request) -> str:
    """`?lang=` first, then Django's choice (i18n cookie, Accept-Language), then LANGUAGE_CODE."""
    for candidate in (request.GET.get("lang"), getattr(request, "LANGUAGE_CODE", None), settings.LANGUAGE_CODE):
        code = (candidate or "").split("-")[0].lower()
        if code in catalogue.LANGUAGES:
            return code
    return catalogue.LANGUAGES[0]


def runbook(request, name: str):
    """The runbook page of an alert; other spellings (aliases, case variants, `.md` links) redirect."""
    requested = name[:-3] if name.endswith(".md") else name  # legacy links: /docs/errors/<AlertName>.md
    rule = catalogue.by_alias(requested)
    if rule is None:
        raise Http404(f"no alert named {requested!r}")
    if name != rule.name:
        url = reverse("alerts-runbook", args=[rule.name])
        query = request.META.get("QUERY_STRING")
        return HttpResponseRedirect(f"{url}?{query}" if query else url)
    lang = _language(request)
    context = {
        "rule": rule,
        "lang": lang,
        "other_lang": "en" if lang == "ru" else "ru",
        "title": rule.title_in(lang),
        "body": markdown_lite.render(catalogue.runbook(rule.name, lang)),
    }
    response = render(request, "alerts/runbook.html", context)
    response["Content-Language"] = lang
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
