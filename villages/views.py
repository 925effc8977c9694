"""Pages of the villages app: declarations over the portal's generic views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from portal.generic import ExportView, ObjectDetailView, ObjectListView, ScopedMixin
from portal.roles import Perm
from villages import selectors, services
from villages.choices import VILLAGE_KIND_COLOURS
from villages.exports import VILLAGE_LIST
from villages.filtersets import DivisionFilterSet, VillageFilterSet
from villages.forms import VillageForm
from villages.models import Division, Village


class TownshipListView(ObjectListView):
    model = Division
    filterset_class = DivisionFilterSet
    template_name = "villages/township_list.html"

    def get_queryset(self):
        return selectors.township_list(user=self.request.user)


class VillageListView(ObjectListView):
    model = Village
    filterset_class = VillageFilterSet
    select_related = ("township",)
    template_name = "villages/village_list.html"
    export_url_name = "village_export"
    extra_context = {"kind_colours": VILLAGE_KIND_COLOURS}


class VillageDetailView(ObjectDetailView):
    model = Village
    select_related = ("township__parent", "updated_by")
    slug_field = slug_url_kwarg = "code"
    template_name = "villages/village_detail.html"
    extra_context = {"kind_colours": VILLAGE_KIND_COLOURS}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.request.user.has_role_perm(Perm.VILLAGE_CHANGE)
        return context


class VillageUpdateView(ScopedMixin, UpdateView):
    model = Village
    permission = Perm.VILLAGE_CHANGE
    permission_for_reads = True
    form_class = VillageForm
    slug_field = slug_url_kwarg = "code"
    template_name = "villages/village_form.html"

    def get_initial(self):
        return {"version": self.object.version}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            village = services.village_update(
                village=self.object, acting_user=self.request.user, version=version, **data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("{name} has been saved.").format(name=village.name))
        return redirect("village_detail", code=village.code)


class VillageExportView(ExportView):
    export_kind = VILLAGE_LIST.kind
