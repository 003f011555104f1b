"""The registry UI, mounted at /registry/ (names `cabinet:registry-*`)."""
from django.urls import path, register_converter

from . import views_registry as v
from . import views_registry_import as imp
from . import views_registry_notify as n
from . import views_registry_objects as o
from . import views_registry_tokens as t
from . import views_registry_users as u



class RegistryKind:
    regex = "managers|online"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RegistryKind, "regkind")

urlpatterns = [
    path("", v.home, name="registry"),
    path("dealer/", v.choose_dealer, name="registry-dealer"),
    path("audit/", v.audit_list, name="registry-audit"),
    path("clients/", v.client_list, name="registry-clients"),
    path("clients/new/", v.client_edit, name="registry-client-new"),
    path("clients/<int:pk>/", v.client_detail, name="registry-client"),
    path("clients/<int:pk>/edit/", v.client_edit, name="registry-client-edit"),
    path("clients/<int:pk>/archive/", v.client_archive, name="registry-client-archive"),
    path("clients/<int:pk>/contacts/", v.contact_add, name="registry-contact-add"),
    path("clients/<int:pk>/contacts/<int:contact_pk>/delete/", v.contact_delete, name="registry-contact-delete"),
    path("clients/<int:pk>/restore/", v.client_archive, {"archive": False}, name="registry-client-restore"),
    path("installations/", o.installation_list, name="registry-installations"),
    path("installations/new/", o.installation_edit, name="registry-installation-new"),
    path("installations/<int:pk>/", o.installation_detail, name="registry-installation"),
    path("installations/<int:pk>/edit/", o.installation_edit, name="registry-installation-edit"),
    path("installations/<int:pk>/archive/", o.installation_archive, name="registry-installation-archive"),
    path("installations/<int:pk>/restore/", o.installation_archive, {"archive": False},
         name="registry-installation-restore"),
    path("online/", o.online_list, name="registry-online"),
    path("online/new/", o.online_edit, name="registry-online-new"),
    path("online/<int:pk>/edit/", o.online_edit, name="registry-online-edit"),
    path("online/<int:pk>/archive/", o.online_archive, name="registry-online-archive"),
    path("online/<int:pk>/restore/", o.online_archive, {"archive": False}, name="registry-online-restore"),
    path("import/", imp.import_page, name="registry-import"),
    path("import/apply/", imp.import_apply, name="registry-import-apply"),
    path("import/cancel/", imp.import_cancel, name="registry-import-cancel"),
    path("import/<int:pk>/rollback/", imp.import_rollback, name="registry-import-rollback"),
    path("export/<regkind:kind>.csv", imp.export, name="registry-export"),
    path("tokens/", t.token_list, name="registry-tokens"),
    path("tokens/issue/", t.token_issue, name="registry-token-issue"),
    path("tokens/<int:pk>/rotate/", t.token_rotate, name="registry-token-rotate"),
    path("tokens/<int:pk>/revoke/", t.token_revoke, name="registry-token-revoke"),
    path("quarantine/", t.quarantine_list, name="registry-quarantine"),
    path("quarantine/attach/", t.quarantine_attach, name="registry-quarantine-attach"),
    path("users/", u.user_list, name="registry-users"),
    path("users/invite/", u.user_invite, name="registry-user-invite"),
    path("users/<int:pk>/edit/", u.user_edit, name="registry-user-edit"),
    path("invitations/<int:pk>/resend/", u.invitation_resend, name="registry-invitation-resend"),
    path("invitations/<int:pk>/cancel/", u.invitation_cancel, name="registry-invitation-cancel"),
    path("invite/<str:token>/", u.invite_accept, name="registry-invite-accept"),
    path("routes/", n.route_list, name="registry-routes"),
    path("routes/new/", n.route_edit, name="registry-route-new"),
    path("routes/<int:pk>/edit/", n.route_edit, name="registry-route-edit"),
    path("routes/<int:pk>/delete/", n.route_delete, name="registry-route-delete"),
    path("routes/policy/", n.policy_edit, name="registry-policy"),
    path("telegram/", n.telegram, name="registry-telegram"),
    path("maintenance/", n.window_list, name="registry-maintenance"),
    path("maintenance/new/", n.window_edit, name="registry-maintenance-new"),
    path("maintenance/<int:pk>/edit/", n.window_edit, name="registry-maintenance-edit"),
    path("maintenance/<int:pk>/end/", n.window_end, name="registry-maintenance-end"),
]
