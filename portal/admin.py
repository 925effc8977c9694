from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as celery_beat_admin
from django_celery_beat.models import PeriodicTask
from simple_history.admin import SimpleHistoryAdmin

from portal.models import ApiToken, GeneratedReport, User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ("username", "display_name", "role", "division", "village", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name", "division__code")
    raw_id_fields = ("division", "village")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Portal"), {"fields": ("display_name", "phone", "role", "division", "village")}),
    )


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "scope_code", "requested_by", "status", "created_at")
    list_filter = ("status", "kind")
    raw_id_fields = ("requested_by",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Seen and revoked (deleted) here; created only by their user, who alone sees the key."""

    list_display = ("name", "prefix", "user", "created_at", "last_used_at")
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# django-celery-beat's "Run selected tasks" publishes with the workers' pool and retries
# and fails the page when Redis is down; this one sends like every request does
# (portal.tasks.send) and says at once what was started and what was not.
admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(celery_beat_admin.PeriodicTaskAdmin):
    @admin.action(description=celery_beat_admin.PeriodicTaskAdmin.run_tasks.short_description)
    def run_tasks(self, request, queryset):
        from kombu.utils.json import loads

        from portal.tasks import send

        self.celery_app.loader.import_default_modules()
        started, not_sent = [], []
        for periodic in queryset:
            task = self.celery_app.tasks.get(periodic.task)
            if task is None:
                self.message_user(
                    request,
                    _("No task named {name}.").format(name=periodic.task),
                    level=messages.ERROR,
                )
                return
            sent = send(
                task,
                loads(periodic.args),
                loads(periodic.kwargs),
                queue=periodic.queue or None,
                headers={"periodic_task_name": periodic.name},
            )
            (started if sent else not_sent).append(periodic.name)
        if started:
            self.message_user(request, _("Started: {names}.").format(names=", ".join(started)))
        if not_sent:
            self.message_user(
                request,
                _(
                    "Redis cannot be reached, so these were not started: {names}. Try again "
                    "later, or run the job on the server with python manage.py run_job."
                ).format(names=", ".join(not_sent)),
                level=messages.WARNING,
            )
