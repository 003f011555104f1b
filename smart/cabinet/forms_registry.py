"""Registry forms: clients, installations and online accesses, validated by the same rules as the CSV
import (smart.registry.csvrows) and the models, uniqueness checked per dealer ignoring case."""
from django import forms
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from smart.registry import csvrows
from smart.registry.models import Client, ClientContact, Installation, InstallationAlias, OnlineAccess, User
from smart.registry.tzlegacy import BadTimeZone, zone_from_legacy

from . import scope

CONTACT_FIELDS = ("name", "role", "phone", "email", "messenger", "notes")
CLIENT_FIELDS = ("display_name", "slug", "legal_name", "regnum", "branch", "managers", "seasonal", "support_ended",
                 "closed_network")
INSTALLATION_FIELDS = ("client", "kind", "name", "address", "port", "scheme", "time_zone", "ping",
                       "expected_interval_s", "probe_interval_s", "status_interval_s", "licman_address",
                       "licman_port", "asrp_period_s", "download", "upload", "process", "manager", "alert_emails",
                       "provider")
ONLINE_FIELDS = ("client", "firm", "login", "host", "folder", "scheme", "manager", "alert_emails")


def snapshot(obj, fields) -> dict:
    """Field values as text, for audit.diff (many-to-many as sorted names)."""
    values = {}
    for name in fields:
        value = getattr(obj, name, None)
        if hasattr(value, "all"):
            value = ", ".join(sorted(str(v) for v in value.all())) if obj.pk else ""
        values[name] = "" if value is None else str(value)
    return values


def _emails(value: str) -> str:
    """The canonical e-mail list (`a@x;b@y`), empty allowed."""
    if not (value or "").strip():
        return ""
    canonical, reason = csvrows.parse_emails(value)
    if reason:
        raise forms.ValidationError(reason, code="bad_email")
    return canonical


def _time_zone(value: str) -> str:
    try:
        return zone_from_legacy(value)
    except BadTimeZone:
        raise forms.ValidationError(_(
            "Write an IANA time zone such as Europe/Moscow, or the offset from Saratov time in hours "
            "(Moscow is -1)."), code="bad_tz") from None


class _DealerForm(forms.ModelForm):
    """A form for an object of `dealer`, with choices narrowed to what `user` may see."""

    def __init__(self, *args, dealer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.dealer, self.user = dealer, user
        people = User.objects.filter(dealer=dealer, is_active=True).order_by("full_name", "username")
        if user.role == "head" and user.branch_id:  # RO-2: no other branch's names in a branch's views
            keep = Q(branch_id=user.branch_id)  # ... except the people already assigned, so a save keeps them
            if self.instance.pk and "managers" in self.fields:
                keep |= Q(pk__in=self.instance.managers.values("pk"))
            if getattr(self.instance, "manager_id", None):
                keep |= Q(pk=self.instance.manager_id)
            people = people.filter(keep)
        for name in ("manager", "managers"):
            if name in self.fields:
                self.fields[name].queryset = people
                self.fields[name].label_from_instance = lambda u: f"{u} ({u.get_role_display()})"
        if "client" in self.fields:
            self.fields["client"].queryset = scope.clients(user).filter(dealer=dealer).order_by("display_name")
        if "branch" in self.fields:
            branches = dealer.branches.order_by("name")
            if user.role == "head" and user.branch_id:
                branches = branches.filter(pk=user.branch_id)
                self.fields["branch"].required = True
            self.fields["branch"].queryset = branches


class ClientForm(_DealerForm):
    class Meta:
        model = Client
        fields = CLIENT_FIELDS
        widgets = {"managers": forms.SelectMultiple(attrs={"size": 6})}

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        clash = Client.objects.filter(dealer=self.dealer).annotate(l=Lower("slug")).filter(l=slug.lower())
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("The dealer already has a client with this name (case is ignored)."),
                                        code="unique")
        return slug

    def clean_display_name(self):
        return self.cleaned_data["display_name"].strip()


class InstallationForm(_DealerForm):
    """A pulled installation is named `address:port` (computed); a pushed one by its client name (the
    CLIENTNAME of the scripts)."""

    time_zone = forms.CharField(label=_("time zone"), initial="Europe/Moscow", max_length=64)
    smartlogin_password = forms.CharField(
        label=_("smartlogin password"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."))

    class Meta:
        model = Installation
        fields = INSTALLATION_FIELDS
        labels = {"manager": _("manager"), "client": _("client")}
        help_texts = {
            "name": _("Pushed installations: the CLIENTNAME of the scripts. Pulled: filled from address and port."),
            "download": _("Collect sysinfo reports (download / nodownload in managers.csv)."),
            "upload": _("Forward reports to ASRP (upload / noupload in managers.csv)."),
            "process": _("Analyse reports into metrics and alerts (process / noprocess in managers.csv)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        for name in ("address", "port", "scheme"):
            self.fields[name].required = False

    def clean_time_zone(self):
        return _time_zone(self.cleaned_data["time_zone"])

    def clean_alert_emails(self):
        return _emails(self.cleaned_data.get("alert_emails", ""))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Installation.Kind.PULLED:
            address, port = (data.get("address") or "").strip(), data.get("port")
            if not address or not port:
                self.add_error("address", forms.ValidationError(
                    _("A polled installation needs an address and a port."), code="required"))
            else:
                parsed = csvrows.parse_address(f"[{address}]:{port}" if ":" in address else f"{address}:{port}")
                if parsed is None:
                    self.add_error("address", forms.ValidationError(
                        _("Not a host name or IP address with a port 1-65535."), code="bad_address"))
                else:
                    data["address"], data["port"] = parsed
                    data["name"] = csvrows._address_name(*parsed)
            if not data.get("scheme"):
                data["scheme"] = "https" if port == 443 else "http"
        elif kind == Installation.Kind.PUSHED:
            name = (data.get("name") or "").strip()
            if not csvrows.CLIENT_SLUG_RE.match(name):
                self.add_error("name", forms.ValidationError(_(
                    "1-64 Latin letters, digits, '_', '.', '-', starting with a letter or digit: the same as "
                    "CLIENTNAME in the scripts."), code="bad_client_name"))
            data["name"], data["address"], data["port"], data["scheme"] = name, "", None, ""
        floor = settings.SMART_PROBE_MIN_INTERVAL_S
        for field in ("probe_interval_s", "status_interval_s"):
            if data.get(field) is not None and data[field] < floor:
                self.add_error(field, forms.ValidationError(_("At least %(s)d seconds.") % {"s": floor},
                                                            code="too_small"))
        if data.get("licman_address") and not csvrows.valid_hostname(data["licman_address"].strip()):
            self.add_error("licman_address", forms.ValidationError(_("Not a valid host name or IP address."),
                                                                   code="bad_host"))
        name = data.get("name")
        if name and not self.errors:
            self._check_unique(name)
        return data

    def _check_unique(self, name):
        clash = Installation.objects.filter(dealer=self.dealer).annotate(l=Lower("name")).filter(l=name.lower())
        aliases = InstallationAlias.objects.filter(dealer=self.dealer).annotate(l=Lower("name")).filter(l=name.lower())
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
            aliases = aliases.exclude(installation=self.instance)
        if clash.exists():
            raise forms.ValidationError(_("The dealer already has an installation named %(name)s (archived ones "
                                          "count too: restore it instead).") % {"name": name}, code="name_taken")
        if aliases.exists():
            raise forms.ValidationError(_("%(name)s is already another name of installation %(other)s.")
                                        % {"name": name, "other": aliases.first().installation.name},
                                        code="name_collision")

    def save(self, commit=True):
        obj = super().save(commit=False)
        for field in ("name", "address", "port", "scheme"):
            setattr(obj, field, self.cleaned_data[field] if self.cleaned_data[field] is not None else
                    ("" if field != "port" else None))
        obj.dealer = self.dealer
        if self.cleaned_data.get("smartlogin_password"):
            obj.smartlogin_password = self.cleaned_data["smartlogin_password"]
        if commit:
            obj.save()
        return obj


class OnlineAccessForm(_DealerForm):
    password = forms.CharField(label=_("password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Stored encrypted; leave empty to keep the stored password."))

    class Meta:
        model = OnlineAccess
        fields = ONLINE_FIELDS
        labels = {"manager": _("manager"), "client": _("client")}
        help_texts = {
            "host": _("The host name only, like online.kodeks.ru: no scheme, port or path."),
            "folder": _("The catalog name only, without slashes."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("Stored encrypted, never shown again.")
        if not (self.user.role == "head" and self.user.branch_id):  # a branch head picks one of the branch's
            self.fields["client"].required = False
            self.fields["client"].help_text = _("Empty: the client named like the firm (created when missing).")

    def clean_firm(self):
        firm = self.cleaned_data["firm"].strip()
        if not firm or len(firm) > csvrows.FIRM_MAX:
            raise forms.ValidationError(_("1-%(max)d characters.") % {"max": csvrows.FIRM_MAX}, code="bad_firm")
        return firm

    def clean_host(self):
        host = self.cleaned_data["host"].strip()
        if "/" in host or "\\" in host or ":" in host or not csvrows.valid_hostname(host):
            raise forms.ValidationError(_("The host name only, like online.kodeks.ru: no scheme, port or path."),
                                        code="bad_host")
        return host.lower()

    def clean_folder(self):
        folder = self.cleaned_data["folder"].strip()
        if not folder or "/" in folder or "\\" in folder:
            raise forms.ValidationError(_("The catalog name only, without slashes."), code="bad_folder")
        return folder

    def clean_login(self):
        return self.cleaned_data["login"].strip()

    def clean_alert_emails(self):
        return _emails(self.cleaned_data.get("alert_emails", ""))

    def clean(self):
        data = super().clean()
        if all(data.get(k) for k in ("host", "folder", "login")):
            clash = OnlineAccess.objects.filter(dealer=self.dealer).annotate(
                h=Lower("host"), f=Lower("folder"), lg=Lower("login")).filter(
                h=data["host"].lower(), f=data["folder"].lower(), lg=data["login"].lower())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("The dealer already has this login on this host and folder."),
                                            code="unique")
        return data

    def save(self, commit=True):
        obj = super().save(commit=False)
        obj.dealer = self.dealer
        if self.cleaned_data.get("password"):
            obj.password = self.cleaned_data["password"]
        if obj.client_id is None:
            from smart.registry.importer import _ClientFinder

            obj.client = _ClientFinder(self.dealer).by_display_name(obj.firm)
        if commit:
            obj.save()
        return obj


class ContactForm(forms.ModelForm):
    """A site contact shown in the client's technical alerts (R-C6)."""

    class Meta:
        model = ClientContact
        fields = CONTACT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
