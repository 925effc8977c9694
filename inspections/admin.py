from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import Acknowledgement, Circular, Finding, InspectionRound, Team, Visit


@admin.register(InspectionRound)
class InspectionRoundAdmin(admin.ModelAdmin):
    list_display = ("__str__", "county", "status", "starts_on", "ends_on")
    raw_id_fields = ("county", "created_by")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "round", "leader")
    raw_id_fields = ("round", "members", "villages")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("village", "round", "team", "visited_on", "unannounced", "score")
    raw_id_fields = ("round", "team", "village", "recorded_by")


@admin.register(Finding)
class FindingAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "township", "severity", "deadline", "status")
    raw_id_fields = ("visit", "category", "township", "case", "verified_by")


@admin.register(Circular)
class CircularAdmin(admin.ModelAdmin):
    list_display = ("__str__", "published_at")
    raw_id_fields = ("round", "county")


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("circular", "township", "by", "at")
    raw_id_fields = ("circular", "township", "by")
