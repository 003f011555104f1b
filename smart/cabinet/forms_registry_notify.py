"""Forms for alert routing (D §5.2 "alert routing rule", AL-3/AL-4): routes, the delivery policy (quiet
hours, escalation) and dealer-declared maintenance windows (D §1.5)."""
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smart.alerts.catalogue import load
from smart.alerts.models import MaintenanceWindow
from smart.notify.models import Channel, NotifyPolicy, Route
from smart.registry import csvrows

from . import scope

PRIORITIES = [("P1", _("P1 only")), ("P2", _("P1 and P2")), ("P3", _("P1 to P3")), ("P4", _("every priority"))]
CATEGORY_LABELS = {
    "agent": _("agents and reports"), "availability": _("availability"), "database": _("databases"),
    "key": _("protection key"), "licence": _("licence and seats"), "licman": _("licence manager"),
    "maintenance": _("maintenance and servicing"), "online_access": _("online accesses"),
    "online_billing": _("online billing"), "platform": _("SMART itself"), "resources": _("server resources"),
    "search": _("search"), "security": _("security"), "usage": _("usage"),
}


def categories() -> list[tuple[str, str]]:
    found = sorted({rule.category for rule in load().values()})
    return [(c, CATEGORY_LABELS.get(c, c)) for c in found]


def _emails_comma(value: str) -> str:
    canonical, reason = csvrows.parse_emails(value)
    if reason:
        raise forms.ValidationError(reason)
    return ", ".join(canonical.split(";"))  # routes keep e-mail lists comma-separated (notify.outbox.addresses)


class RouteForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(label=_("categories"), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None ticked: every category."))
    max_priority = forms.ChoiceField(label=_("up to priority"), choices=PRIORITIES, initial="P4")
    language = forms.ChoiceField(label=_("language"), choices=[("ru", "Русский"), ("en", "English")], initial="ru")
    secret = forms.CharField(label=_("webhook secret"), required=False, widget=forms.PasswordInput(render_value=False),
                             help_text=_("Signs each webhook call; leave empty to keep the stored one."))

    class Meta:
        model = Route
        fields = ("name", "channel", "target", "to_manager", "categories", "max_priority", "language", "enabled")
        help_texts = {"target": _("E-mail addresses (comma-separated), a Telegram chat id, or a webhook URL.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = categories()

    def clean(self):
        data = super().clean()
        channel, target = data.get("channel"), (data.get("target") or "").strip()
        if channel == Channel.EMAIL:
            if target:
                try:
                    data["target"] = _emails_comma(target)
                except forms.ValidationError as exc:
                    self.add_error("target", exc)
            elif not data.get("to_manager"):
                self.add_error("target", _("Give the addresses, or tick “the responsible manager”."))
        elif channel == Channel.TELEGRAM:
            if target and not target.lstrip("-").isdigit():
                self.add_error("target", _("A Telegram chat id is a number (bind a chat to fill it in)."))
            data["to_manager"] = False
        elif channel == Channel.WEBHOOK:
            try:
                URLValidator(schemes=["http", "https"])(target)
            except forms.ValidationError:
                self.add_error("target", _("An http:// or https:// URL."))
            data["to_manager"] = False
        return data

    def save(self, commit=True):
        route = super().save(commit=False)
        if self.cleaned_data.get("secret"):
            route.secret = self.cleaned_data["secret"]
        if commit:
            route.save()
        return route


class PolicyForm(forms.ModelForm):
    class Meta:
        model = NotifyPolicy
        fields = ("time_zone", "quiet_start", "quiet_end", "morning_at", "night_delivery", "escalate_after_s",
                  "escalate_channel", "escalate_to")
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for name in ("quiet_start", "quiet_end", "morning_at")}
        help_texts = {"escalate_to": _("Where an unacknowledged P1 goes next: e-mail addresses, a chat id or a URL.")}

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise forms.ValidationError(_("An IANA time zone such as Europe/Moscow.")) from None
        return value

    def clean_escalate_after_s(self):
        value = self.cleaned_data["escalate_after_s"]
        if value < 60:
            raise forms.ValidationError(_("At least %(s)d seconds.") % {"s": 60})
        return value

    def clean(self):
        data = super().clean()
        if data.get("escalate_channel") == Channel.EMAIL and (data.get("escalate_to") or "").strip():
            try:
                data["escalate_to"] = _emails_comma(data["escalate_to"])
            except forms.ValidationError as exc:
                self.add_error("escalate_to", exc)
        return data


class WindowForm(forms.ModelForm):
    """Times are entered in the user's own zone (datetime-local inputs) and stored in UTC."""

    starts_at = forms.DateTimeField(label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                              format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                             format="%Y-%m-%dT%H:%M"))

    class Meta:
        model = MaintenanceWindow
        fields = ("installation", "client", "starts_at", "ends_at", "comment")
        labels = {"installation": _("installation"), "client": _("client"), "comment": _("comment")}

    def __init__(self, *args, dealer, user, tz, whole_dealer_allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz, self.whole_dealer_allowed = tz, whole_dealer_allowed
        self.fields["installation"].queryset = scope.installations(user).filter(dealer=dealer).order_by("name")
        self.fields["client"].queryset = scope.clients(user).filter(dealer=dealer).order_by("display_name")
        self.fields["installation"].empty_label = self.fields["client"].empty_label = "—"
        self.fields["installation"].help_text = _("Leave installation and client empty for the whole dealer.")

    def _aware(self, value: datetime) -> datetime:
        return value.replace(tzinfo=None).replace(tzinfo=self.tz) if value else value

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if data.get(name):
                data[name] = self._aware(data[name])
        if data.get("starts_at") and data.get("ends_at"):
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends_at", _("The end is before the start."))
            elif data["ends_at"] <= timezone.now():
                self.add_error("ends_at", _("The window is already over."))
        if data.get("installation") and data.get("client"):
            self.add_error("client", _("Choose an installation or a client, not both."))
        if not data.get("installation") and not data.get("client") and not self.whole_dealer_allowed:
            self.add_error("installation", _("Choose an installation or a client."))
        return data
