from django.contrib import admin

from villages.models import Division, Village


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "township", "kind", "households", "party_members")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    raw_id_fields = ("township", "updated_by")
    list_select_related = ("township",)
