"""The URL conf: the portal's pages and every app's URLs and API. Every URL here is
covered by tests/portal/test_access_matrix.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.i18n import set_language
from rest_framework.routers import DefaultRouter

from firstsecretary import api as firstsecretary_api
from home import api as home_api
from home import users_api, views
from home.forms import LoginForm
from inspections import api as inspections_api
from portal import bulk, choosers
from portal.api import ApiDocsView, BulkJobViewSet, SchemaView
from rectification import api as rectification_api
from villages import api as villages_api


class DivisionCodeConverter:
    """A statistical division code: 2 to 12 digits."""

    regex = "[0-9]{2,12}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(DivisionCodeConverter, "code")

handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"

router = DefaultRouter()
# One URL per resource: no `.json` suffix variants to scope and test twice.
router.include_format_suffixes = False
router.register("users", users_api.UserViewSet, basename="user")
router.register("divisions", villages_api.DivisionViewSet, basename="division")
router.register("villages", villages_api.VillageViewSet, basename="village")
router.register("activity-plans", villages_api.ActivityPlanViewSet, basename="activity-plan")
router.register("activity-records", villages_api.ActivityRecordViewSet, basename="activity-record")
router.register("campaigns", rectification_api.CampaignViewSet, basename="campaign")
router.register("categories", rectification_api.CategoryViewSet, basename="category")
router.register(
    "acceptance-criteria", rectification_api.CriterionViewSet, basename="acceptance-criterion"
)
router.register("cases", rectification_api.CaseViewSet, basename="case")
router.register("tasks", rectification_api.TaskViewSet, basename="task")
router.register("ratings", rectification_api.RatingViewSet, basename="rating")
router.register("units", firstsecretary_api.UnitViewSet, basename="unit")
router.register("secretaries", firstsecretary_api.SecretaryViewSet, basename="secretary")
router.register("assignments", firstsecretary_api.AssignmentViewSet, basename="assignment")
router.register("worklogs", firstsecretary_api.WorkLogViewSet, basename="worklog")
router.register("support", firstsecretary_api.SupportViewSet, basename="support")
router.register("rounds", inspections_api.RoundViewSet, basename="round")
router.register("visits", inspections_api.VisitViewSet, basename="visit")
router.register("findings", inspections_api.FindingViewSet, basename="finding")
router.register("circulars", inspections_api.CircularViewSet, basename="circular")
router.register("batch-jobs", BulkJobViewSet, basename="batch-job")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "login/",
        # A login lands on `start`: the first secretary on his own page, others at home.
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True, next_page="start"
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/new/", views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/edit/", views.UserUpdateView.as_view(), name="user_edit"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/print/", views.DashboardPrintView.as_view(), name="dashboard_print"),
    path("dashboard/export/", views.DashboardExportView.as_view(), name="dashboard_export"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read/", views.NotificationReadView.as_view(), name="notifications_read_all"
    ),
    path(
        "notifications/read/selected/",
        bulk.NotificationReadSelectedView.as_view(),
        name="notifications_read_selected",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    ),
    path("account/api-tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
    path("batches/<int:pk>/", bulk.BulkJobDetailView.as_view(), name="bulk_job_detail"),
    path("batches/<int:pk>/results/", bulk.BulkJobResultsView.as_view(), name="bulk_job_results"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/download/", views.ReportDownloadView.as_view(), name="report_download"),
    path(
        "attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"
    ),
    path("choose/<slug:source>/", choosers.ChooserSearchView.as_view(), name="chooser_search"),
    path("villages/<code:code>/file/", views.VillageDossierView.as_view(), name="village_dossier"),
    path(
        "villages/<code:code>/file/docx/",
        views.VillageDossierDocxView.as_view(),
        name="village_dossier_docx",
    ),
    path("", include("villages.urls")),
    path("", include("rectification.urls")),
    path("", include("firstsecretary.urls")),
    path("", include("inspections.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/timeliness/", villages_api.TimelinessView.as_view(), name="timeliness-api"),
    # The dashboard's figures (home.api): the same selectors, the same filters as the page.
    path(
        "api/v1/statistics/summary/",
        home_api.SummaryView.as_view(),
        name="statistics-summary",
    ),
    path("api/v1/statistics/funnel/", home_api.FunnelView.as_view(), name="statistics-funnel"),
    path(
        "api/v1/statistics/categories/",
        home_api.CategoriesView.as_view(),
        name="statistics-categories",
    ),
    path("api/v1/statistics/ranking/", home_api.RankingView.as_view(), name="statistics-ranking"),
    path(
        "api/v1/statistics/activity-plans/",
        home_api.ActivityPlansView.as_view(),
        name="statistics-activity-plans",
    ),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
