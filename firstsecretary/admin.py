from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from firstsecretary.models import (
    Assignment,
    DispatchUnit,
    Evaluation,
    FirstSecretary,
    SupportLink,
    WorkLog,
)


@admin.register(DispatchUnit)
class DispatchUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "county", "level", "kind")
    raw_id_fields = ("county",)


@admin.register(FirstSecretary)
class FirstSecretaryAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "county", "phone")
    search_fields = ("name", "phone")
    raw_id_fields = ("county", "unit", "user")


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("secretary", "village", "started_on", "planned_end", "actual_end")
    raw_id_fields = ("secretary", "village")


@admin.register(WorkLog)
class WorkLogAdmin(admin.ModelAdmin):
    list_display = ("assignment", "date", "on_site", "households_visited", "kind")
    raw_id_fields = ("assignment",)


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("secretary", "year", "grade")
    raw_id_fields = ("secretary", "evaluated_by")


@admin.register(SupportLink)
class SupportLinkAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "name")
    raw_id_fields = ("case", "mentor_village")
