from django.contrib import admin

from .models import Report, UploadAttempt


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "dealer", "installation", "kind", "status", "size", "received_at", "quarantined")
    list_filter = ("dealer", "quarantined", "kind", "status", "channel")
    search_fields = ("file_name", "sha256")
    date_hierarchy = "received_at"

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UploadAttempt)
class UploadAttemptAdmin(admin.ModelAdmin):
    list_display = ("received_at", "endpoint", "dealer", "file_name", "http_status", "code", "source_ip", "size")
    list_filter = ("code", "http_status", "endpoint", "dealer")
    search_fields = ("file_name", "sha256", "source_ip", "user_agent")
    date_hierarchy = "received_at"

    def has_change_permission(self, request, obj=None):
        return False
