"""Runbook pages (`/runbooks/<AlertName>`) and the pages of signed acknowledge / snooze links
(`/alerts/act/<token>`), in Russian (default) or English."""
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from . import actions, catalogue, markdown_lite


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


ACTION_LABELS = {
    "ack": pgettext_lazy("alert action", "Acknowledge"),
    "snooze1h": _("Snooze for 1 hour"),
    "snooze_morning": _("Snooze until morning"),
    "unack": _("Take back the acknowledgement"),
}


def _subject(alert) -> str:
    if alert.client_id:
        return alert.client.display_name
    return (alert.labels or {}).get("host") or alert.object_key


def _action_page(request, template: str, context: dict, lang: str, status: int = 200):
    context |= {"lang": lang, "other_lang": "en" if lang == "ru" else "ru"}
    response = render(request, template, context, status=status)
    response["Content-Language"] = lang
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL: never pass it on
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def act(request, token: str):
    """A signed link from an e-mail: GET shows what it will do and a button (mail scanners open links,
    so a GET never acts); the POST of that form (with its CSRF token) does it. No login is needed: the
    link is the authority, limited to its alerts, its action and its expiry."""
    lang = _language(request)
    with translation.override(lang):
        try:
            payload = actions.read_token(token)
            notification, alerts = actions.token_alerts(payload)
        except actions.LinkExpired:
            return _action_page(request, "alerts/action_invalid.html", {"expired": True}, lang, status=410)
        except actions.LinkInvalid:
            return _action_page(request, "alerts/action_invalid.html", {"expired": False}, lang, status=400)
        rule = catalogue.load().get(alerts[0].rule)
        context = {"action": payload["a"], "label": ACTION_LABELS[payload["a"]], "rule_name": alerts[0].rule,
                   "title": rule.title_in(lang) if rule else "", "query": f"?lang={lang}"}
        if payload["a"] == "snooze_morning":
            context["morning"] = actions.next_morning(alerts[0].dealer_id)
        if request.method != "POST":
            context["items"] = [{"alert": a, "subject": _subject(a)} for a in alerts]
            return _action_page(request, "alerts/action_confirm.html", context, lang)
        user = request.user if request.user.is_authenticated else None
        outcomes = actions.perform_for(payload, notification, alerts, user=user, via="email")
        context["items"] = [{"alert": o.alert, "subject": _subject(o.alert), "done": o.done, "reason": o.reason}
                            for o in outcomes]
        context["done"] = sum(o.done for o in outcomes)
        return _action_page(request, "alerts/action_done.html", context, lang)
