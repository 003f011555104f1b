"""Alerts from sysinfo reports and SMART's bookkeeping of uploads, end to end: reports through ingest and
the pipeline → the on-fact hook (or a pass at a later `now` for time-driven rules) → the alert → a FIRING
e-mail in the SMTP sink → a clean report (or quiet time, or an operator's action) → RESOLVED."""
from datetime import timedelta

import pytest
from django.core.management import call_command

from smart.formats.model import Licence, SearchEntry
from smart.pipeline.worker import drain
from tests.alerts_facts.e2e import H, Case, report_ctx, run_case  # noqa: F401 - report_ctx is a fixture
from tests.alerts_facts.build import now
from tests.pipeline.conftest import roga  # noqa: F401 - the pipeline's ROGA installation
from tests.pipeline.reports import search

pytestmark = pytest.mark.django_db
S = timedelta(seconds=1)
OPERUP = r"D:\Kodeks\OperUp\30725NKV.ud6"
ERRORS = {
    "KodeksDBerrorsNoCode": ("volume", None, None, "Том базы данных уже подключен"),
    "KodeksDBerrorsCode2007": ("product", 2007, 4103, "Ошибка защиты (2007): нет прав на использование копии БД"),
    "KodeksDBerrorsCodeXXX": ("os", 53, None, r"Не удалось открыть файл \\nas\db\zakon (ошибка 53)"),
}


def report_then(first, second):
    """A Case's (fire, clear): a report at t0 with `first`, one an hour later with `second` (report
    arguments, or functions of the report's time that return them)."""
    def arguments(given, at):
        return given(at) if callable(given) else given

    return (lambda ctx: ctx.sysinfo(ctx.t0, **arguments(first, ctx.t0)),
            lambda ctx: ctx.sysinfo(ctx.t0 + H, **arguments(second, ctx.t0 + H)))


def quiet(rule: str, after: timedelta):
    return lambda ctx: ctx.evaluate(ctx.t0 + after + S, rule)


def licence(days: float):
    """Report arguments: one licence ending `days` after the report's time."""
    return lambda at: {"licences": (Licence(product="Кодекс: Законодательство",
                                            expires_on=(at + timedelta(days=days)).date(), seats=10),)}


def new_user(ctx):
    ctx.sysinfo(ctx.t0)
    ctx.sysinfo(ctx.t0 + H, users=["sidorov"])


def used_without_support(ctx):
    ctx.roga.client.support_ended = True
    ctx.roga.client.save()
    ctx.sysinfo(ctx.t0)  # users logged in within the week


def support_renewed(ctx):
    ctx.roga.client.support_ended = False
    ctx.roga.client.save()
    ctx.evaluate(ctx.t0 + H, "KodeksUnsupportedButUsed")


def silent(ctx):
    ctx.sysinfo(ctx.t0)
    ctx.evaluate(ctx.t0 + 3 * H + S, "SmartXMLfileIsToOld")


def upgraded_then_silent(ctx):
    ctx.sysinfo(ctx.t0, version="6.4.5.46")
    ctx.sysinfo(ctx.t0 + H, version="6.4.5.50")
    ctx.evaluate(ctx.t0 + 3 * H + S, "VersionChangedThenSilent", "SmartXMLfileIsToOld")


def error_page(ctx):
    assert ctx.upload(b"<html><head><title>401 Unauthorized</title></head></html>").status == "error_page"


def other_identity(ctx):
    ctx.sysinfo(ctx.t0)
    ctx.sysinfo(ctx.t0 + H, regnum="999999", legal_name="АО Другое")


def identity_accepted(ctx):
    call_command("accept-identity", "--dealer", ctx.dealer.code, "--name", "ROGA")
    drain()


CASES = [
    *(Case(rule, *report_then({"errors": {"zakon": [error]}}, {"errors": {"zakon": []}}))
      for rule, error in ERRORS.items()),
    Case("KodeksDBOperUpToOld", *report_then({"operups": {OPERUP: timedelta(days=4)}}, {"operups": {OPERUP: 2 * H}})),
    Case("KodeksXmlSensLockStatus", *report_then({"key": "not_found"}, {"key": "ok"})),
    Case("KodeksLicenseExpiring2day", *report_then(licence(1), licence(400))),
    Case("KodeksLicenseExpiring7day", *report_then(licence(5), licence(400))),
    Case("KodeksLicenseExpiring90day", *report_then(licence(30), licence(400))),
    Case("KodeksDBLicensesZero", *report_then(
        {"licences": (Licence(product="Кодекс: Законодательство", expires_on=None, seats=10),)}, {})),
    Case("KodeksNewUser", new_user, quiet("KodeksNewUser", 25 * H)),
    Case("KodeksSearchIsEmpty", lambda ctx: ctx.sysinfo(ctx.t0, searches=(search(ctx.t0, "СП 20.13330", results=0),)),
         quiet("KodeksSearchIsEmpty", 24 * H)),
    Case("KodeksSearchError", lambda ctx: ctx.sysinfo(ctx.t0, searches=(SearchEntry(
        at=ctx.t0, login="ivanov", text="ст. 81 ТК", search_type="attribute", catalogue="/docs", error=True),)),
        quiet("KodeksSearchError", H)),
    Case("KodeksSharedLogin", lambda ctx: ctx.sysinfo(ctx.t0, sessions=3), quiet("KodeksSharedLogin", 24 * H)),
    Case("ClockSkew", lambda ctx: ctx.sysinfo(now() - 12 * 60 * S), lambda ctx: ctx.sysinfo(now() - 60 * S)),
    Case("KodeksUnsupportedButUsed", used_without_support, support_renewed),
    Case("SmartXMLfileIsToOld", silent, lambda ctx: ctx.sysinfo(ctx.t0 + 4 * H)),
    Case("VersionChangedThenSilent", upgraded_then_silent, lambda ctx: ctx.sysinfo(ctx.t0 + 4 * H, version="6.4.5.50")),
    Case("CollectorErrorPage", error_page, lambda ctx: ctx.sysinfo(ctx.t0)),
    Case("IdentityMismatch", other_identity, identity_accepted),
]
COVERS = {case.rule for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_report_alert_fires_and_resolves_by_email(case, report_ctx, sink):  # noqa: F811
    run_case(case, report_ctx, sink)
