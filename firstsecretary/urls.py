from django.urls import path

from firstsecretary import views

urlpatterns = [
    path("secretaries/", views.SecretaryListView.as_view(), name="secretary_list"),
    path("secretaries/export/", views.SecretaryExportView.as_view(), name="secretary_export"),
    path("secretaries/new/", views.SecretaryCreateView.as_view(), name="secretary_create"),
    path("secretaries/import/", views.SecretaryImportView.as_view(), name="secretary_import"),
    path(
        "secretaries/import/template/",
        views.SecretaryImportTemplateView.as_view(),
        name="secretary_import_template",
    ),
    path(
        "secretaries/import/<int:pk>/",
        views.SecretaryImportPreviewView.as_view(),
        name="secretary_import_preview",
    ),
    path(
        "secretaries/import/<int:pk>/confirm/",
        views.SecretaryImportConfirmView.as_view(),
        name="secretary_import_confirm",
    ),
    path(
        "secretaries/import/<int:pk>/errors/",
        views.SecretaryImportErrorsView.as_view(),
        name="secretary_import_errors",
    ),
    path("secretaries/<int:pk>/", views.SecretaryDetailView.as_view(), name="secretary_detail"),
    path("secretaries/<int:pk>/edit/", views.SecretaryUpdateView.as_view(), name="secretary_edit"),
    path("secretaries/<int:pk>/assign/", views.AssignView.as_view(), name="secretary_assign"),
    path("secretaries/<int:pk>/evaluate/", views.EvaluateView.as_view(), name="secretary_evaluate"),
    path("assignments/<int:pk>/end/", views.EndAssignmentView.as_view(), name="assignment_end"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("start/", views.StartView.as_view(), name="start"),
    path("my/", views.MyVillageView.as_view(), name="my_village"),
    path("worklog/", views.WorkLogView.as_view(), name="worklog"),
    path("worklog/<int:pk>/edit/", views.WorkLogEditView.as_view(), name="worklog_edit"),
    path("worklog/photos/<int:pk>/", views.WorkLogPhotoView.as_view(), name="worklog_photo"),
    path("presence/", views.PresenceView.as_view(), name="presence"),
    path("worklog/review/", views.TrustReviewView.as_view(), name="trust_review"),
    path("presence/export/", views.PresenceExportView.as_view(), name="presence_export"),
    path("support/", views.SupportOverviewView.as_view(), name="support_overview"),
    path("ledger/<int:pk>/support/", views.SupportAddView.as_view(), name="support_add"),
    path("support/<int:pk>/delete/", views.SupportRemoveView.as_view(), name="support_remove"),
]
