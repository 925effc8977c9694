from django.urls import path

from villages import views

urlpatterns = [
    path("townships/", views.TownshipListView.as_view(), name="township_list"),
    path("county/settings/", views.CountySettingsView.as_view(), name="county_settings"),
    path("county/calendar/", views.CountyCalendarView.as_view(), name="county_calendar"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("villages/export/", views.VillageExportView.as_view(), name="village_export"),
    path("villages/<code:code>/", views.VillageDetailView.as_view(), name="village_detail"),
    path("villages/<code:code>/edit/", views.VillageUpdateView.as_view(), name="village_edit"),
]

urlpatterns += [
    path("activity/", views.ActivityTownshipView.as_view(), name="activity_township"),
    path(
        "activity/<code:code>/<int:year>-<int:month>/",
        views.ActivityPlanView.as_view(),
        name="activity_plan",
    ),
    path(
        "activity/<code:code>/<int:year>-<int:month>/copy/",
        views.ActivityCopyView.as_view(),
        name="activity_copy",
    ),
    path("activity/submit-all/", views.ActivitySubmitAllView.as_view(), name="activity_submit_all"),
    path("activity/urging/", views.ActivityUrgingView.as_view(), name="activity_urging"),
    path("activity/urging/urge/", views.ActivityUrgeView.as_view(), name="activity_urge"),
    path("activity/records/", views.ActivityRecordListView.as_view(), name="activity_records"),
    path(
        "activity/records/new/",
        views.ActivityRecordCreateView.as_view(),
        name="activity_record_create",
    ),
    path(
        "activity/records/<int:pk>/sit-in/",
        views.ActivitySitInView.as_view(),
        name="activity_sit_in",
    ),
    path("activity/timeliness/", views.TimelinessView.as_view(), name="activity_timeliness"),
    path(
        "activity/timeliness/export/",
        views.TimelinessExportView.as_view(),
        name="activity_timeliness_export",
    ),
]

urlpatterns += [
    path("venues/", views.VenueListView.as_view(), name="venue_list"),
    path("venues/export/", views.VenueExportView.as_view(), name="venue_export"),
    path("venues/new/", views.VenueEditView.as_view(), name="venue_create"),
    path("venues/standards/", views.VenueStandardsView.as_view(), name="venue_standards"),
    path("venues/<code:code>/edit/", views.VenueEditView.as_view(), name="venue_edit"),
]
