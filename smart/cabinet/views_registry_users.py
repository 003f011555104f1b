"""The dealer's people: list, invite by e-mail, accept an invitation, change role or branch, deactivate.

An invitation is a random token e-mailed as a link (`/registry/invite/<token>/`); only its sha256 is stored.
It is single-use and expires after INVITATION_DAYS. The person chooses a login and a password (Django's
password validators) and is signed in."""
import secrets
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smart.registry.models import Role, User

from . import audit, scope
from .forms_registry import snapshot
from .models import Invitation
from .views_registry_access import assignable_roles, page, registry_view, users

INVITATION_DAYS = 7
USER_FIELDS = ("full_name", "email", "role", "branch", "is_active")


class _RoleBranch:
    """Role and branch choices narrowed to what the acting user may give."""

    def setup(self, dealer, actor):
        self.fields["role"].choices = [(r, Role(r).label) for r in assignable_roles(actor)]
        branches = dealer.branches.order_by("name")
        if actor.role == Role.HEAD and actor.branch_id:
            branches = branches.filter(pk=actor.branch_id)
            self.fields["branch"].required = True
            self.fields["branch"].empty_label = None
        self.fields["branch"].queryset = branches


class InviteForm(_RoleBranch, forms.Form):
    email = forms.EmailField(label=gettext_lazy("e-mail"))
    full_name = forms.CharField(label=gettext_lazy("full name"), max_length=200, required=False)
    role = forms.ChoiceField(label=gettext_lazy("role"), initial=Role.MANAGER)
    branch = forms.ModelChoiceField(label=gettext_lazy("branch"), queryset=None, required=False,
                                    empty_label=gettext_lazy("the whole dealer"))

    def __init__(self, *args, dealer, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.dealer = dealer
        self.setup(dealer, actor)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(dealer=self.dealer, email__iexact=email, is_active=True).exists():
            raise forms.ValidationError(_("A user of the dealer already has this e-mail."))
        return email


class UserForm(_RoleBranch, forms.ModelForm):
    class Meta:
        model = User
        fields = USER_FIELDS

    def __init__(self, *args, dealer, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup(dealer, actor)
        self.fields["role"].choices = [(r, Role(r).label) for r in assignable_roles(actor)]
        self.fields["branch"].empty_label = None if self.fields["branch"].required else _("the whole dealer")
        if self.instance.pk == actor.pk:  # nobody locks themselves out
            for name in ("role", "is_active", "branch"):
                self.fields[name].disabled = True


class AcceptForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Login"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("full name"), max_length=200)
    password1 = forms.CharField(label=gettext_lazy("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=gettext_lazy("Password again"), strip=False, widget=forms.PasswordInput)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This login is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, User(username=data.get("username", ""),
                                                               full_name=data.get("full_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


# ---- list, invite, edit --------------------------------------------------------------------------------

@registry_view(scope.can_manage_registry)
def user_list(request, dealer):
    people = users(request.user, dealer).select_related("branch").order_by("-is_active", "full_name", "username")
    pending = Invitation.objects.filter(dealer=dealer, accepted_at__isnull=True, expires_at__gt=timezone.now())
    if request.user.role == Role.HEAD and request.user.branch_id:
        pending = pending.filter(branch_id=request.user.branch_id)
    form = InviteForm(dealer=dealer, actor=request.user)
    return page(request, "cabinet/registry/users.html", {
        "dealer": dealer, "people": people, "pending": pending.order_by("-created_at"), "form": form,
    })


def _send_invitation(request, invitation: Invitation, token: str) -> None:
    link = settings.SMART_BASE_URL.rstrip("/") + reverse("cabinet:registry-invite-accept", args=[token])
    context = {"link": link, "dealer": invitation.dealer, "inviter": request.user, "role": Role(invitation.role).label,
               "days": INVITATION_DAYS, "full_name": invitation.full_name}
    subject = _("SMART: an invitation to the cabinet of %(dealer)s") % {
        "dealer": invitation.dealer.display_name or invitation.dealer}
    body = render_to_string("cabinet/registry/invitation_email.txt", context)
    send_mail(subject, body, None, [invitation.email])


@require_POST
@registry_view(scope.can_manage_registry)
def user_invite(request, dealer):
    form = InviteForm(request.POST, dealer=dealer, actor=request.user)
    if not form.is_valid():
        people = users(request.user, dealer).select_related("branch").order_by("-is_active", "full_name")
        response = page(request, "cabinet/registry/users.html", {
            "dealer": dealer, "people": people, "form": form, "pending": Invitation.objects.none()})
        response.status_code = 400
        return response
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            dealer=dealer, email=form.cleaned_data["email"], full_name=form.cleaned_data["full_name"],
            role=form.cleaned_data["role"], branch=form.cleaned_data["branch"], token_hash=Invitation.hash(token),
            created_by=request.user, expires_at=timezone.now() + timedelta(days=INVITATION_DAYS))
        audit.record(request, "invite", object_type="invitation", object_id=invitation.pk, dealer_id=dealer.pk,
                     object_repr=invitation.email, changes={"role": ["", invitation.role],
                                                            "branch": ["", str(invitation.branch or "")]})
    try:
        _send_invitation(request, invitation, token)
    except OSError as exc:  # the relay is down: the invitation stays, it can be sent again
        messages.error(request, _("The invitation to %(email)s was created but could not be e-mailed (%(error)s); "
                                  "send it again later.") % {"email": invitation.email, "error": exc})
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("cabinet:registry-users")


def _invitation(request, dealer, pk):
    qs = Invitation.objects.filter(dealer=dealer, accepted_at__isnull=True)
    if request.user.role == Role.HEAD and request.user.branch_id:
        qs = qs.filter(branch_id=request.user.branch_id)
    return scope.get_or_deny(qs, pk=pk)


@require_POST
@registry_view(scope.can_manage_registry)
def invitation_resend(request, dealer, pk):
    """A new link (the old one stops working) with a fresh expiry."""
    invitation = _invitation(request, dealer, pk)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = Invitation.hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at"])
    audit.record(request, "invite", object_type="invitation", object_id=invitation.pk, dealer_id=dealer.pk,
                 object_repr=invitation.email, changes={"resent": ["", invitation.email]})
    try:
        _send_invitation(request, invitation, token)
    except OSError as exc:
        messages.error(request, _("Could not e-mail %(email)s: %(error)s") % {"email": invitation.email, "error": exc})
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("cabinet:registry-users")


@require_POST
@registry_view(scope.can_manage_registry)
def invitation_cancel(request, dealer, pk):
    invitation = _invitation(request, dealer, pk)
    audit.record(request, "uninvite", object_type="invitation", object_id=invitation.pk, dealer_id=dealer.pk,
                 object_repr=invitation.email, changes={"cancelled": ["", invitation.email]})
    invitation.delete()
    messages.success(request, _("Invitation to %(email)s cancelled.") % {"email": invitation.email})
    return redirect("cabinet:registry-users")


@registry_view(scope.can_manage_registry)
def user_edit(request, dealer, pk):
    person = scope.get_or_deny(users(request.user, dealer), pk=pk)
    if person.role not in assignable_roles(request.user) and person.pk != request.user.pk:
        raise Http404  # a branch head does not edit dealer admins
    form = UserForm(request.POST or None, instance=person, dealer=dealer, actor=request.user)
    if request.method == "POST" and form.is_valid():
        before = snapshot(User.objects.get(pk=person.pk), USER_FIELDS)
        with transaction.atomic():
            person = form.save()
            changes = audit.diff(before, snapshot(person, USER_FIELDS))
            if changes:
                action = "deactivate" if changes.get("is_active") == ["True", "False"] else "update"
                audit.record(request, action, obj=person, changes=changes)
        messages.success(request, _("%(name)s saved.") % {"name": person})
        return redirect("cabinet:registry-users")
    return page(request, "cabinet/registry/form.html", {
        "dealer": dealer, "form": form, "obj": person, "kind": "user",
        "title": _("Edit %(name)s") % {"name": person}, "back": "cabinet:registry-users",
    })


# ---- accepting an invitation (no sign-in needed) -------------------------------------------------------

def invite_accept(request, token):
    invitation = Invitation.objects.select_related("dealer", "branch").filter(token_hash=Invitation.hash(token)).first()
    problem = None
    if invitation is None:
        problem = _("This invitation link is not valid. Ask for a new invitation.")
    elif invitation.accepted_at is not None:
        problem = _("This invitation has already been used. Sign in with the login you chose.")
    elif invitation.expires_at <= timezone.now():
        problem = _("This invitation has expired. Ask for a new invitation.")
    if problem:
        return render(request, "cabinet/registry/invite_accept.html", {"problem": problem}, status=410)
    initial = {"username": invitation.email.split("@")[0], "full_name": invitation.full_name}
    form = AcceptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.accepted_at is not None:
                return render(request, "cabinet/registry/invite_accept.html", {
                    "problem": _("This invitation has already been used. Sign in with the login you chose.")},
                    status=410)
            user = User(username=form.cleaned_data["username"], full_name=form.cleaned_data["full_name"],
                        email=invitation.email, role=invitation.role, dealer=invitation.dealer,
                        branch=invitation.branch)
            user.set_password(form.cleaned_data["password1"])
            user.save()
            locked.accepted_at, locked.user = timezone.now(), user
            locked.save(update_fields=["accepted_at", "user"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            audit.record(request, "accept", obj=user, changes={"role": ["", user.role], "email": ["", user.email]})
        messages.success(request, _("Welcome to SMART, %(name)s.") % {"name": user})
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "cabinet/registry/invite_accept.html", {"form": form, "invitation": invitation})
