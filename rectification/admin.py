from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from rectification.models import (
    Acceptance,
    AcceptanceCriterion,
    Campaign,
    Case,
    CaseEvent,
    Category,
    Plan,
    PlanTask,
    VillageRating,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "year", "started_on")
    raw_id_fields = ("division",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "group", "order", "active")
    list_filter = ("group", "active")


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(admin.ModelAdmin):
    list_display = ("name", "points", "order", "active")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "actor", "at", "comment")
    can_delete = False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("village", "campaign", "status", "deadline", "listing")
    list_filter = ("status", "campaign")
    search_fields = ("village__name", "village__code")
    raw_id_fields = ("village", "campaign", "created_by", "updated_by")
    list_select_related = ("village", "campaign")
    inlines = [CaseEventInline]


class PlanTaskInline(admin.TabularInline):
    model = PlanTask
    extra = 0
    raw_id_fields = ("assignee",)


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ("case", "status", "submitted_at", "reviewed_at")
    raw_id_fields = ("case", "submitted_by", "reviewed_by")
    inlines = [PlanTaskInline]


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    list_display = ("case", "reviewed_on", "total", "passed")
    raw_id_fields = ("case", "reviewer")


@admin.register(VillageRating)
class VillageRatingAdmin(admin.ModelAdmin):
    list_display = ("village", "year", "stars", "grade")
    raw_id_fields = ("village", "rated_by")
