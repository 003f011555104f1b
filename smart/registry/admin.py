"""The operator's view of the registry (Django admin). Stored secrets are never shown back."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Branch, Client, ClientContact, Dealer, IngestToken, Installation, InstallationAlias, OnlineAccess, RegistryImport, User
from .secrets import mask


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "display_name", "created_at")
    search_fields = ("code", "name", "display_name")


@admin.register(User)
class SmartUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "dealer", "branch", "is_active")
    list_filter = ("role", "dealer", "is_active")
    fieldsets = UserAdmin.fieldsets + (("SMART", {"fields": ("role", "dealer", "branch", "full_name")}),)


class ContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("display_name", "slug", "dealer", "seasonal", "support_ended", "closed_network")
    list_filter = ("dealer", "seasonal", "closed_network")
    search_fields = ("display_name", "slug", "legal_name", "regnum")
    inlines = [ContactInline]


@admin.register(Installation)
class InstallationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "dealer", "client", "manager", "time_zone", "archived_at")
    list_filter = ("dealer", "kind", "ping")
    search_fields = ("name", "address", "client__display_name")
    exclude = ("smartlogin_password",)
    readonly_fields = ("smartlogin_password_masked",)

    @admin.display(description="smartlogin password")
    def smartlogin_password_masked(self, obj):
        return mask(obj.smartlogin_password)


@admin.register(OnlineAccess)
class OnlineAccessAdmin(admin.ModelAdmin):
    list_display = ("firm", "login", "host", "folder", "dealer", "manager", "archived_at")
    list_filter = ("dealer",)
    search_fields = ("firm", "login", "host")
    exclude = ("password",)
    readonly_fields = ("password_masked",)

    @admin.display(description="password")
    def password_masked(self, obj):
        return mask(obj.password)


@admin.register(IngestToken)
class IngestTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "dealer", "installation", "label", "created_at", "revoked_at")
    list_filter = ("dealer",)
    readonly_fields = ("token_hash", "prefix", "created_at")
    actions = ["revoke"]

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()


admin.site.register(Branch)
admin.site.register(InstallationAlias)
admin.site.register(RegistryImport)
