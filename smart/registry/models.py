"""The registry: who the dealers are, who works for them, and what they monitor (D §5.2)."""
import hashlib
import re
import secrets
import time

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .secrets import EncryptedTextField

CLIENT_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DEALER_CODE_RE = re.compile(r"^[A-Za-z0-9]{4}$")
DEALER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def validate_client_slug(value: str) -> None:
    if not CLIENT_SLUG_RE.match(value or ""):
        raise ValidationError(
            _("Client name must be 1-64 Latin letters, digits, '_', '.', '-', starting with a letter or digit."),
            code="bad_slug",
        )


class Dealer(models.Model):
    """A tenant: a distributor. Scripts identify it by `dealer: <code><name>` (D §5.4)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("short name"), max_length=32)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Privacy switches (D §3.5 X15), applied when reports are stored; a client may override each.
    privacy_pseudonymise_logins = models.BooleanField(_("pseudonymise logins"), default=False)
    privacy_drop_ips = models.BooleanField(_("drop client IP addresses"), default=False)
    privacy_search_text_days = models.PositiveIntegerField(
        _("keep search texts, days"), null=True, blank=True,
        help_text=_("Empty: as long as other facts; 0: never stored (counts are kept)."))

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        constraints = [models.UniqueConstraint(Lower("code"), name="dealer_code_ci_unique")]

    def __str__(self) -> str:
        return self.header_value

    @property
    def header_value(self) -> str:
        """The value the dealer's scripts send in the `dealer:` header."""
        return f"{self.code}{self.name}"

    def clean(self):
        if not DEALER_CODE_RE.match(self.code or ""):
            raise ValidationError({"code": _("The dealer code is 4 Latin letters or digits.")})
        if not DEALER_NAME_RE.match(self.name or ""):
            raise ValidationError({"name": _("The short name is 1-32 Latin letters, digits, '_' or '-'.")})

    @classmethod
    def by_header(cls, value: str):
        value = (value or "").strip()
        if len(value) < 5:
            return None
        dealer = cls.objects.filter(code__iexact=value[:4]).first()
        if dealer and dealer.header_value.lower() == value.lower():
            return dealer
        return None


class Branch(models.Model):
    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [models.UniqueConstraint("dealer", Lower("name"), name="branch_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OPERATOR = "operator", _("SMART operator")
    DEALER_ADMIN = "dealer_admin", _("Dealer admin")
    HEAD = "head", _("Head of department")
    MANAGER = "manager", _("Manager")
    TECHNICIAN = "technician", _("Technician")


class User(AbstractUser):
    """A person with a personal login (X14), bound to a dealer or branch unless an operator."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MANAGER)
    dealer = models.ForeignKey(Dealer, null=True, blank=True, on_delete=models.CASCADE, related_name="users")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="users")
    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        if self.role != Role.OPERATOR and not self.dealer_id:
            raise ValidationError({"dealer": _("Every user except an operator belongs to a dealer.")})
        if self.branch_id and self.branch.dealer_id != self.dealer_id:
            raise ValidationError({"branch": _("The branch belongs to another dealer.")})

    def __str__(self) -> str:
        return self.full_name or self.username


class Client(models.Model):
    """A legal entity served by the dealer; owns installations and online accesses (R-C9)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="clients")
    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="clients")
    display_name = models.CharField(_("display name"), max_length=64)
    slug = models.CharField(_("slug"), max_length=64, validators=[validate_client_slug])
    legal_name = models.CharField(_("legal name"), max_length=500, blank=True)
    regnum = models.CharField(_("registration number"), max_length=64, blank=True)
    managers = models.ManyToManyField(User, blank=True, related_name="clients", verbose_name=_("managers"))
    seasonal = models.BooleanField(_("seasonal"), default=False)
    support_ended = models.BooleanField(_("support ended"), default=False)
    closed_network = models.BooleanField(_("closed network"), default=False)
    # Privacy overrides of the dealer's switches (None: as the dealer).
    privacy_pseudonymise_logins = models.BooleanField(_("pseudonymise logins"), null=True, blank=True)
    privacy_drop_ips = models.BooleanField(_("drop client IP addresses"), null=True, blank=True)
    privacy_search_text_days = models.PositiveIntegerField(_("keep search texts, days"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [models.UniqueConstraint("dealer", Lower("slug"), name="client_slug_ci_unique")]

    def __str__(self) -> str:
        return self.display_name


class ClientContact(models.Model):
    """Site contacts shown in every technical alert for the client (R-C6)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    messenger = models.CharField(_("messenger"), max_length=200, blank=True)
    notes = models.TextField(_("remote access and on-site hours"), blank=True)

    def __str__(self) -> str:
        return self.name


class Scheme(models.TextChoices):
    HTTP = "http", "http"
    HTTPS = "https", "https"


class Installation(models.Model):
    """One K/TE server: pulled by SMART (`address:port`) or pushing its reports (slug) (D §5.2 A/B)."""

    class Kind(models.TextChoices):
        PULLED = "pulled", _("polled by SMART (address:port)")
        PUSHED = "pushed", _("pushes reports (smartupload)")

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="installations")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="installations")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # The name the reports and scripts carry: the slug (pushed) or `address:port` (pulled).
    name = models.CharField(_("name"), max_length=270)
    address = models.CharField(_("address"), max_length=253, blank=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    scheme = models.CharField(_("scheme"), max_length=5, choices=Scheme.choices, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    ping = models.BooleanField(_("ICMP probing"), default=False)
    expected_interval_s = models.PositiveIntegerField(_("expected report interval, s"), default=3600)
    probe_interval_s = models.PositiveIntegerField(_("probe interval, s"), default=60)
    status_interval_s = models.PositiveIntegerField(_("sysmon metrics interval, s"), default=900)
    licman_address = models.CharField(_("licence manager address"), max_length=253, blank=True)
    licman_port = models.PositiveIntegerField(_("licence manager port"), null=True, blank=True)
    asrp_period_s = models.PositiveIntegerField(_("ASRP forwarding period, s"), default=604800)
    download = models.BooleanField(_("collect sysinfo"), default=True)
    upload = models.BooleanField(_("forward to ASRP"), default=True)
    process = models.BooleanField(_("analyse"), default=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="installations"
    )
    alert_emails = models.CharField(_("alert e-mails"), max_length=1000, blank=True)
    # Who runs the proxy, DNS or hosting in front of it (e.g. "Techexpert.Cloud"); empty: not known.
    # KodeksBehindProxyDownCount counts per provider (D §1.4 #9, R-C5); hosts without one count together.
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    smartlogin_password = EncryptedTextField(_("smartlogin password"), blank=True)
    # How many columns the registry row had (9 = pre-04-2026, 11 = current), kept for export.
    legacy_columns = models.PositiveSmallIntegerField(default=11)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installations")
        constraints = [models.UniqueConstraint("dealer", Lower("name"), name="installation_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class InstallationAlias(models.Model):
    """Another name under which reports of an installation arrive (quarantine attach, rename: E6, E7)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="aliases")
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=270)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint("dealer", Lower("name"), name="alias_name_ci_unique")]

    def __str__(self) -> str:
        return f"{self.name} → {self.installation}"


class OnlineAccess(models.Model):
    """A simple online access: the client's login to a vendor-hosted K/TE (D §5.2 C)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="online_accesses")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="online_accesses")
    firm = models.CharField(_("firm"), max_length=64)
    login = models.CharField(_("login"), max_length=200)
    password = EncryptedTextField(_("password"))
    host = models.CharField(_("host"), max_length=253)
    folder = models.CharField(_("folder"), max_length=200)
    scheme = models.CharField(_("scheme"), max_length=5, choices=Scheme.choices, default=Scheme.HTTPS)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="online_accesses"
    )
    alert_emails = models.CharField(_("alert e-mails"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("online access")
        verbose_name_plural = _("online accesses")
        constraints = [
            models.UniqueConstraint(
                "dealer", Lower("host"), Lower("folder"), Lower("login"), name="online_access_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm} ({self.login}@{self.host}/{self.folder})"


_token_cache: dict = {}


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class IngestToken(models.Model):
    """A credential for uploading reports, stored only as its sha256.

    Without an installation it is the dealer's legacy token (the same in every script of the dealer);
    with one it is a write-only per-installation token (D §3.5 X3). At most two are valid per binding,
    so a token can be rotated without a gap.
    """

    MAX_ACTIVE = 2
    CACHE_TTL_S = 5

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="tokens")
    installation = models.ForeignKey(
        Installation, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingest token")
        verbose_name_plural = _("ingest tokens")

    def __str__(self) -> str:
        scope = self.installation.name if self.installation_id else _("legacy dealer token")
        return f"{self.prefix}… ({scope})"

    @property
    def is_legacy(self) -> bool:
        return self.installation_id is None

    @classmethod
    def issue(cls, dealer, installation=None, value: str | None = None, label: str = ""):
        """Create a token and return (token, plaintext). Revokes the oldest beyond MAX_ACTIVE."""
        plain = value or secrets.token_urlsafe(24)
        token = cls.objects.create(
            dealer=dealer, installation=installation, token_hash=hash_token(plain), prefix=plain[:8], label=label
        )
        active = cls.objects.filter(dealer=dealer, installation=installation, revoked_at__isnull=True)
        stale = list(active.order_by("-created_at", "-id").values_list("id", flat=True)[cls.MAX_ACTIVE :])
        if stale:
            cls.objects.filter(id__in=stale).update(revoked_at=timezone.now())
        _token_cache.clear()
        return token, plain

    @classmethod
    def lookup(cls, plain: str):
        """The token row for a presented value, revoked or not, or None."""
        if not plain:
            return None
        return cls.objects.select_related("dealer", "installation").filter(token_hash=hash_token(plain)).first()

    @classmethod
    def lookup_cached(cls, plain: str):
        """lookup() through a short in-process cache: the upload hot path sees each token many times a
        second. A revocation in this process takes effect at once, in other processes within CACHE_TTL_S."""
        key = hash_token(plain) if plain else ""
        hit = _token_cache.get(key)
        now = time.monotonic()
        if hit and now - hit[0] < cls.CACHE_TTL_S:
            return hit[1]
        token = cls.lookup(plain)
        if len(_token_cache) > 10_000:
            _token_cache.clear()
        _token_cache[key] = (now, token)
        return token

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
        _token_cache.clear()


class RegistryImport(models.Model):
    """One applied CSV import: the registry's version history (D §5.3 IM-3, IM-5: only a hash is kept)."""

    dealer = models.ForeignKey(Dealer, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=16)
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
