"""`event`: something happened to the object (a new user, an identity mismatch, an error page uploaded
instead of a report, logins refused for want of a seat, the scraper consuming units, the notifier failing
to deliver). Each event name has its function in the module that knows the facts; the table says where."""
EVENTS = {
    "new_user": "reports_events:new_user",
    "identity_mismatch": "reports_events:identity_mismatch",
    "collector_error_page": "reports_events:collector_error_page",
    "version_changed": "reports_events:version_changed",
    "scraper_consumed_units": "online:scraper_consumed_units",
    "notifier_delivery_failed": "notifier:notifier_delivery_failed",
    "login_refused": "refusals:login_refused",
}


def handler(name: str):
    from . import resolve

    return resolve(EVENTS.get(name))


def event(condition: dict, scope) -> dict:
    found = handler(condition["event"])
    return found(condition, scope) if found else {}
