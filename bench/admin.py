"""The Django admin changelist a team would set up in an afternoon for the same ledger:
the list page's columns, its status filter and search, 50 rows a page. Given the joins
and the prefetch any competent afternoon would add, so the comparison is fair."""

from django.contrib import admin

from rectification.models import Case

site = admin.AdminSite(name="bench_admin")


@admin.register(Case, site=site)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "township",
        "village",
        "campaign",
        "categories_list",
        "responsible_person",
        "deadline",
        "status",
    )
    list_filter = ("status", "campaign__year")
    search_fields = ("^village__code",)
    list_per_page = 50
    list_select_related = ("village__township", "campaign")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories")

    @admin.display(description="乡镇（街道）")
    def township(self, case):
        return case.village.township.name

    @admin.display(description="问题类型")
    def categories_list(self, case):
        return "；".join(c.name for c in case.categories.all())
