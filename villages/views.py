"""Pages of the villages app: declarations over the portal's generic views."""

import io
from collections import Counter
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from portal import choosers, workdays
from portal.generic import (
    ExportView,
    FormPageMixin,
    ObjectDetailView,
    ObjectListView,
    PortalMixin,
    ScopedMixin,
    ScopedObjectMixin,
    add_service_errors,
)
from portal.models import CalendarDay
from portal.months import add_months, due_date, next_month
from portal.roles import Perm
from villages import deadlines, organs, selectors, services
from villages.choices import (
    PLAN_STATE_COLOURS,
    VENUE_STATE_COLOURS,
    VILLAGE_KIND_COLOURS,
    DivisionLevel,
    PlanState,
)
from villages.exports import VENUE_LIST, VILLAGE_LIST, timeliness_workbook
from villages.filtersets import (
    ActivityRecordFilterSet,
    DivisionFilterSet,
    VenueFilterSet,
    VillageFilterSet,
)
from villages.forms import (
    ActivityItemFormSet,
    ActivityPlanForm,
    ActivityRecordForm,
    CalendarDayForm,
    CountySettingsForm,
    MonthField,
    VenueForm,
    VenueFundingFormSet,
    VenueStandardsForm,
    VillageForm,
)
from villages.models import ActivityPlan, ActivityRecord, Division, Venue, Village


class TownshipListView(ObjectListView):
    model = Division
    filterset_class = DivisionFilterSet
    template_name = "villages/township_list.html"

    def get_queryset(self):
        return selectors.township_list(scope=self.request.scope)


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
        context["venue"] = selectors.village_venue(scope=self.request.scope, village=self.object)
        context["venue_colours"] = VENUE_STATE_COLOURS
        return context


class VillageUpdateView(FormPageMixin, ScopedMixin, UpdateView):
    model = Village
    permission = Perm.VILLAGE_CHANGE
    permission_for_reads = True
    form_class = VillageForm
    slug_field = slug_url_kwarg = "code"

    def get_heading(self):
        return _("Edit %(name)s") % {"name": self.object.name}

    def get_page_title(self):
        return self.object.name

    def get_cancel_url(self):
        return reverse("village_detail", args=[self.object.code])

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


# --- Monthly activity plans -----------------------------------------------------------------


def _month_from(request, default):
    form = forms.Form(request.GET)
    form.fields["month"] = MonthField(required=False)
    if form.is_valid() and form.cleaned_data["month"]:
        return form.cleaned_data["month"]
    return default


class ActivityTownshipView(PortalMixin, TemplateView):
    """A township's villages for a month at a glance: not started, draft, submitted, late."""

    template_name = "villages/activity_township.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        month = _month_from(self.request, next_month(timezone.localdate()))
        townships = Division.objects.visible_to(self.request.scope).filter(
            level=DivisionLevel.TOWNSHIP
        )
        level = {"level": DivisionLevel.TOWNSHIP}
        township = choosers.pick("divisions", user, self.request.GET.get("township"), **level)
        township = township or townships.first()
        rows = (
            selectors.township_plans(scope=self.request.scope, township=township, month=month)
            if township
            else []
        )
        counts = Counter(state for _village, _plan, state in rows)
        return super().get_context_data(
            month=month,
            previous=add_months(month, -1),
            following=add_months(month, 1),
            due=deadlines.due_date(month, township.code) if township else due_date(month),
            township=township,
            # Searched when there are many (a province's thousand townships), else listed.
            township_choice=choosers.choice_box(
                "divisions",
                user,
                name="township",
                value=township.code if township else None,
                label=_("Township"),
                **level,
            )
            if townships.count() > 1
            else None,
            rows=rows,
            # A list, not the Counter: the template would read counts.items as counts["items"].
            counts=list(counts.items()),
            drafts=counts[PlanState.DRAFT],
            urging=selectors.township_urging(township=township, month=month) if township else None,
            state_colours=PLAN_STATE_COLOURS,
            can_write=user.has_role_perm(Perm.ACTIVITY_WRITE),
            **kwargs,
        )


class ActivityPlanView(ScopedObjectMixin, TemplateView):
    """One village's plan for one month: the activities, or "none this month, because"."""

    model = Village
    permission = Perm.ACTIVITY_WRITE
    permission_for_reads = True
    template_name = "villages/activity_plan.html"
    pk_url_kwarg = "code"

    def month(self):
        try:
            return date(self.kwargs["year"], self.kwargs["month"], 1)
        except ValueError:
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        village, month = self.get_object(), self.month()
        plan = ActivityPlan.objects.filter(village=village, month=month).first()
        initial = [
            {
                "date": i.date,
                "kind": i.kind,
                "topic": i.topic,
                "place": i.place,
                "instructor_attends": i.instructor_attends,
            }
            for i in (plan.items.all() if plan else [])
        ]
        return self.render(
            village,
            month,
            plan,
            ActivityPlanForm(
                initial={
                    "version": plan.version if plan else 1,
                    "no_activity": plan.no_activity if plan else False,
                    "no_activity_reason": plan.no_activity_reason if plan else "",
                }
            ),
            ActivityItemFormSet(initial=initial, prefix="items"),
        )

    def render(self, village, month, plan, form, formset):
        return self.render_to_response(
            self.get_context_data(
                village=village,
                month=month,
                plan=plan,
                form=form,
                formset=formset,
                due=deadlines.due_date(month, village.code),
            )
        )

    def post(self, request, *args, **kwargs):
        village, month = self.get_object(), self.month()
        plan = ActivityPlan.objects.filter(village=village, month=month).first()
        form = ActivityPlanForm(request.POST)
        formset = ActivityItemFormSet(request.POST, prefix="items")
        if not (form.is_valid() and formset.is_valid()):
            return self.render(village, month, plan, form, formset)
        items = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for item in items:
            item.pop("DELETE", None)
        try:
            plan = services.activity_plan_save(
                acting_user=request.user,
                village=village,
                month=month,
                version=form.cleaned_data["version"],
                items=items,
                no_activity=form.cleaned_data["no_activity"],
                no_activity_reason=form.cleaned_data["no_activity_reason"],
            )
            if "submit" in request.POST:
                services.activity_plan_submit(acting_user=request.user, plan=plan)
                messages.success(request, _("The plan has been submitted."))
            else:
                messages.success(request, _("The plan has been saved as a draft."))
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render(village, month, plan, form, formset)
        return redirect(
            f"{reverse('activity_township')}?township={village.township_id}&month={month:%Y-%m}"
        )


class ActivityCopyView(ScopedObjectMixin, View):
    model = Village
    permission = Perm.ACTIVITY_WRITE
    http_method_names = ["post"]
    pk_url_kwarg = "code"

    def post(self, request, code, year, month):
        village = self.get_object()
        try:
            services.activity_plan_copy_previous(
                acting_user=request.user, village=village, month=date(year, month, 1)
            )
            messages.success(
                request, _("Last month's activities have been copied; check the dates.")
            )
        except (ValidationError, ValueError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("activity_plan", code=code, year=year, month=month)


class ActivitySubmitAllView(PortalMixin, View):
    permission = Perm.ACTIVITY_WRITE
    http_method_names = ["post"]

    def post(self, request):
        try:
            month = MonthField().clean(request.POST.get("month"))
        except ValidationError:
            messages.error(request, _("Choose the month to submit."))
            return redirect("activity_township")
        code = request.POST.get("township")
        township = (
            Division.objects.visible_to(request.scope)
            .filter(pk=code, level=DivisionLevel.TOWNSHIP)
            .first()
        )
        if township is None:
            if code:
                raise Http404
            messages.error(request, _("Choose the township to submit."))
            return redirect("activity_township")
        try:
            count = services.activity_plans_submit_all(
                acting_user=request.user, township=township, month=month
            )
            messages.success(request, _("{count} plans submitted.").format(count=count))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            f"{reverse('activity_township')}?township={township.pk}&month={month:%Y-%m}"
        )


class ActivityUrgingView(PortalMixin, TemplateView):
    """The county's board for the month being planned: each township red (none filed), amber
    (some) or green (all), drafts apart, its last urging, and the days left to the 25th."""

    template_name = "villages/activity_urging.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        month = _month_from(self.request, next_month(today))
        # One county's townships at a time (a province's 1,225 made a page of 576 KB).
        scope, county_box = choosers.county_choice(self.request)
        rows = selectors.urging_board(scope=scope, month=month, today=today)
        county = scope.prefix if scope.prefix and len(scope.prefix) >= 6 else None
        due = deadlines.due_date(month, county) if county else due_date(month)
        return super().get_context_data(
            month=month,
            previous=add_months(month, -1),
            following=add_months(month, 1),
            due=due,
            days_left=(due - today).days,
            days_over=(today - due).days,
            rows=rows,
            county_choice=county_box,
            incomplete=sum(not row.complete for row in rows),
            can_urge=user.has_role_perm(Perm.ACTIVITY_URGE),
            **kwargs,
        )


class ActivityUrgeView(PortalMixin, View):
    """Urge one township, the ones ticked, or all not yet complete: each through the service,
    with a summary of what was done and what was refused, and why."""

    permission = Perm.ACTIVITY_URGE
    http_method_names = ["post"]

    def post(self, request):
        try:
            month = MonthField().clean(request.POST.get("month"))
        except ValidationError:
            messages.error(request, _("Choose the month to urge."))
            return redirect("activity_urging")
        # "Every township not yet complete" is of the county the board showed.
        scope, _box = choosers.county_choice(request, request.POST)
        county = request.POST.get("county", "")
        back = f"{reverse('activity_urging')}?month={month:%Y-%m}" + (
            f"&county={county}" if county.isdigit() else ""
        )
        townships = Division.objects.visible_to(request.scope).filter(level=DivisionLevel.TOWNSHIP)
        if "all" in request.POST:
            chosen = [
                row.township
                for row in selectors.urging_board(scope=scope, month=month)
                if not row.complete
            ]
        else:
            codes = (
                [request.POST["one"]] if "one" in request.POST else request.POST.getlist("township")
            )
            codes = list(dict.fromkeys(code for code in codes if code))
            chosen = list(townships.filter(pk__in=codes).order_by("code"))
            if len(chosen) != len(codes):
                raise Http404
        if not chosen:
            messages.error(request, _("Choose the townships to urge."))
            return redirect(back)
        urged, again, refused = [], [], []
        for township in chosen:
            try:
                _urging, created = services.township_urge(
                    acting_user=request.user, township=township, month=month
                )
            except ValidationError as error:
                refused.append(
                    _("{township} ({reason})").format(
                        township=township.name, reason=" ".join(error.messages)
                    )
                )
                continue
            (urged if created else again).append(township.name)
        if urged:
            messages.success(
                request,
                _("Urged {count}: {names}.").format(count=len(urged), names="、".join(urged)),
            )
        if again:
            messages.info(
                request,
                _("Already urged today, nothing sent again: {names}.").format(
                    names="、".join(again)
                ),
            )
        if refused:
            messages.error(request, _("Not urged: {reasons}.").format(reasons="；".join(refused)))
        return redirect(back)


class ActivityRecordListView(ObjectListView):
    model = ActivityRecord
    filterset_class = ActivityRecordFilterSet
    select_related = ("village__township", "recorded_by")
    template_name = "villages/activity_records.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = self.request.user.has_role_perm(Perm.ACTIVITY_WRITE)
        context["can_sit_in"] = self.request.user.has_role_perm(Perm.ACTIVITY_SIT_IN)
        return context


class ActivityRecordCreateView(FormPageMixin, PortalMixin, FormView):
    permission = Perm.ACTIVITY_WRITE
    permission_for_reads = True
    form_class = ActivityRecordForm
    heading = gettext_lazy("Record an activity")
    cancel_url = "activity_records"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting_user": self.request.user}

    def get_initial(self):
        return {"held_on": timezone.localdate(), "village": self.request.GET.get("village")}

    def form_valid(self, form):
        try:
            services.activity_record_save(acting_user=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The activity has been recorded."))
        return redirect("activity_records")


class ActivitySitInView(ScopedObjectMixin, View):
    model = ActivityRecord
    permission = Perm.ACTIVITY_SIT_IN
    http_method_names = ["post"]

    def post(self, request, pk):
        record = self.get_object()
        services.activity_record_sit_in(
            acting_user=request.user, record=record, sat_in=not record.county_sat_in
        )
        return redirect("activity_records")


class TimelinessView(PortalMixin, TemplateView):
    """Township × month: expected, on time, late, missing, rates (like DHIS2)."""

    template_name = "villages/timeliness.html"
    months_shown = 6

    def table(self):
        # By default the dashboard's window: ending with the month being planned now.
        default = selectors.plan_months(count=self.months_shown)
        last = _month_from(self.request, default[-1])
        months = [add_months(last, -n) for n in range(self.months_shown - 1, -1, -1)]
        # One county's townships at a time: a province's 1,225 rows made a page of 1 MB.
        scope, self.county_box = choosers.county_choice(self.request)
        figures = selectors.timeliness(scope=scope, months=months)
        townships = list(
            Division.objects.visible_to(scope).filter(level=DivisionLevel.TOWNSHIP).order_by("code")
        )
        rows = [
            (t, [figures.get((t.code, m), selectors.Timeliness()) for m in months])
            for t in townships
        ]
        return months, rows

    def get_context_data(self, **kwargs):
        months, rows = self.table()
        return super().get_context_data(
            months=months,
            rows=rows,
            county_choice=self.county_box,
            timeliness_legend=selectors.timeliness_legend(),
            can_export=self.request.user.has_role_perm(Perm.REPORT_EXPORT),
            **kwargs,
        )


class TimelinessExportView(TimelinessView):
    permission = Perm.REPORT_EXPORT
    http_method_names = ["post"]

    def post(self, request):
        months, rows = self.table()
        content = io.BytesIO()
        timeliness_workbook(months, rows).save(content)
        content.seek(0)
        return FileResponse(
            content,
            as_attachment=True,
            filename=_("activity-plan-timeliness-{month}.xlsx").format(
                month=months[-1].strftime("%Y-%m")
            ),
        )


class _CountyPage(PortalMixin, FormView):
    """A page of one county's own settings, set by its organization department."""

    permission = Perm.CAMPAIGN_MANAGE
    permission_for_reads = True

    def dispatch(self, request, *args, **kwargs):
        self.county = None
        if request.user.is_authenticated:
            # A county's own people set their county; above it (a city, the administrator),
            # the county is chosen with ?county=, by default the first in the user's area.
            self.county = services.user_county(request.user)
            if self.county is None:
                counties = Division.objects.visible_to(request.scope).filter(
                    level=DivisionLevel.COUNTY
                )
                chosen = request.GET.get("county")
                self.county = (counties.filter(pk=chosen) if chosen else counties).first()
                if self.county is None:
                    raise Http404
        return super().dispatch(request, *args, **kwargs)


class CountySettingsView(_CountyPage):
    """The county's own settings, set by its organization department."""

    form_class = CountySettingsForm
    template_name = "villages/county_settings.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Division.objects.get(pk=self.county.pk)}

    def get_success_url(self):
        return f"{reverse('county_settings')}?county={self.county.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            county=self.county,
            organ=organs.organ(self.county),
            issuer=organs.issuer(self.county),
            derived=organs.derived_abbreviation(self.county),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.county_settings_update(
                county=self.county,
                acting_user=self.request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class CountyCalendarView(_CountyPage):
    """China's holiday arrangement as the county's deadlines count it: which years the
    portal holds, the county's due days ahead, and the days it entered for a coming year
    the package does not hold yet (entered here, or taken back)."""

    form_class = CalendarDayForm
    template_name = "villages/county_calendar.html"

    def get_success_url(self):
        return f"{reverse('county_calendar')}?county={self.county.pk}"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        county_deadlines = deadlines.CountyDeadlines([self.county.code])
        upcoming = [add_months(next_month(today), n) for n in range(4)]
        return super().get_context_data(
            county=self.county,
            years=[(year, workdays.package_holds(year)) for year in (today.year, today.year + 1)],
            missing=workdays.arrangement_missing(self.county.code, today),
            due_days=[
                (month, due_date(month), county_deadlines.due_date(month, self.county.code))
                for month in upcoming
            ],
            entered=CalendarDay.objects.filter(
                county_code=self.county.code, day__year__gte=today.year
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        remove = request.POST.get("remove")
        if remove:
            if not remove.isdigit():
                raise Http404
            services.calendar_day_remove(
                acting_user=request.user, county=self.county, day_id=int(remove)
            )
            messages.success(request, _("The day has been taken back."))
            return redirect(self.get_success_url())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.calendar_day_add(
                acting_user=self.request.user, county=self.county, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


# --- Activity venues (活动场所) ---------------------------------------------------------------


class VenueListView(ObjectListView):
    """The register of activity venues in the reader's area."""

    model = Venue
    filterset_class = VenueFilterSet
    template_name = "villages/venue_list.html"
    extra_context = {"state_colours": VENUE_STATE_COLOURS}

    export_url_name = "venue_export"

    def get_queryset(self):
        return selectors.venue_list(self.request.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_change"] = self.request.user.has_role_perm(Perm.VILLAGE_CHANGE)
        context["can_set_standards"] = self.request.user.has_role_perm(Perm.CAMPAIGN_MANAGE)
        return context


class VenueExportView(ExportView):
    export_kind = VENUE_LIST.kind


class VenueEditView(PortalMixin, TemplateView):
    """Enter a village's venue (`venues/new/`, the village chosen) or correct it
    (`venues/<code>/edit/`), with its funding rows."""

    permission = Perm.VILLAGE_CHANGE
    permission_for_reads = True
    template_name = "villages/venue_form.html"

    def venue(self):
        if "code" not in self.kwargs:
            return None
        venue = (
            Venue.objects.visible_to(self.request.scope)
            .select_related("village")
            .filter(village_id=self.kwargs["code"])
            .first()
        )
        if venue is None:
            raise Http404
        return venue

    def forms(self, venue, data=None):
        if venue is None:
            initial = {"village": self.request.GET.get("village")}
            funding = []
        else:
            initial = {"version": venue.version}
            funding = [
                {"source": f.source, "year": f.year, "amount": f.amount}
                for f in venue.funding.all()
            ]
        form = VenueForm(
            data,
            instance=venue,
            initial=initial,
            acting_user=self.request.user,
            village=venue.village if venue else None,
        )
        return form, VenueFundingFormSet(data, initial=None if data else funding, prefix="funding")

    def get(self, request, *args, **kwargs):
        venue = self.venue()
        return self.render(venue, *self.forms(venue))

    def render(self, venue, form, formset):
        return self.render_to_response(
            self.get_context_data(venue=venue, form=form, formset=formset)
        )

    def post(self, request, *args, **kwargs):
        venue = self.venue()
        form, formset = self.forms(venue, request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render(venue, form, formset)
        funding = [
            {k: f.cleaned_data[k] for k in ("source", "year", "amount")}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("village", "version")}
        try:
            saved = services.venue_save(
                acting_user=request.user,
                village=venue.village if venue else form.cleaned_data["village"],
                version=form.cleaned_data["version"] if venue else None,
                funding=funding,
                **data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "funding" in error.error_dict:
                formset._non_form_errors = formset.error_class(error.error_dict.pop("funding"))
            add_service_errors(form, error)
            return self.render(venue, form, formset)
        messages.success(request, _("The venue has been saved."))
        return redirect("village_detail", saved.village_id)


class VenueStandardsView(PortalMixin, FormView):
    """The standard venue area by village kind, set by a province's or a county's
    organization department for its villages (a city's too); the nearest one set applies."""

    permission = Perm.CAMPAIGN_MANAGE
    permission_for_reads = True
    form_class = VenueStandardsForm
    template_name = "villages/venue_standards.html"
    LEVELS = (DivisionLevel.PROVINCE, DivisionLevel.CITY, DivisionLevel.COUNTY)

    @cached_property
    def division(self):
        """An administrator sets his own area's; one above every area (the superuser)
        chooses it with ?division=, by default the first province he sees. Read after the
        permission check: a role without the right gets 403, not 404."""
        own = getattr(self.request.user, "division", None)
        if own is not None and own.level in self.LEVELS:
            return own
        areas = Division.objects.visible_to(self.request.scope).filter(level__in=self.LEVELS)
        chosen = self.request.GET.get("division")
        division = (areas.filter(pk=chosen) if chosen else areas).first()
        if division is None:
            raise Http404
        return division

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Division.objects.get(pk=self.division.pk)}

    def get_context_data(self, **kwargs):
        # One read for the division and the levels above it, a county's as a province's.
        in_force, above = selectors.standard_areas_here_and_above(self.division)
        return super().get_context_data(
            division=self.division, in_force=in_force, above=above, **kwargs
        )

    def form_valid(self, form):
        try:
            services.venue_standards_update(
                acting_user=self.request.user, division=self.division, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(f"{reverse('venue_standards')}?division={self.division.pk}")
