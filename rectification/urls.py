from django.urls import path

from rectification import views

urlpatterns = [
    path("ledger/", views.CaseListView.as_view(), name="case_list"),
    path("ledger/export/", views.CaseExportView.as_view(), name="case_export"),
    path("ledger/new/", views.CaseCreateView.as_view(), name="case_create"),
    path("ledger/import/", views.CaseImportView.as_view(), name="case_import"),
    path(
        "ledger/import/template/",
        views.CaseImportTemplateView.as_view(),
        name="case_import_template",
    ),
    path(
        "ledger/import/<int:pk>/",
        views.CaseImportPreviewView.as_view(),
        name="case_import_preview",
    ),
    path(
        "ledger/import/<int:pk>/confirm/",
        views.CaseImportConfirmView.as_view(),
        name="case_import_confirm",
    ),
    path("ledger/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("ledger/<int:pk>/edit/", views.CaseUpdateView.as_view(), name="case_edit"),
    path("ledger/<int:pk>/apply/", views.RequestAcceptanceView.as_view(), name="case_apply"),
    path("ledger/<int:pk>/withdraw/", views.WithdrawRequestView.as_view(), name="case_withdraw"),
    path("ledger/<int:pk>/close/", views.CloseCaseView.as_view(), name="case_close"),
    path(
        "ledger/<int:pk>/acceptance/",
        views.AcceptanceCreateView.as_view(),
        name="case_acceptance",
    ),
    path("ledger/<int:pk>/evidence/", views.EvidenceUploadView.as_view(), name="case_evidence"),
    path("ledger/<int:pk>/plan/", views.PlanEditView.as_view(), name="plan_edit"),
    path("ledger/<int:pk>/plan/submit/", views.PlanSubmitView.as_view(), name="plan_submit"),
    path("ledger/<int:pk>/plan/withdraw/", views.PlanWithdrawView.as_view(), name="plan_withdraw"),
    path("ledger/<int:pk>/plan/review/", views.PlanReviewView.as_view(), name="plan_review"),
    path("plans/pending/", views.PlanPendingView.as_view(), name="plan_pending"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_edit"),
    path("categories/new/", views.CategoryEditView.as_view(), name="category_create"),
    path("categories/<int:pk>/edit/", views.CategoryEditView.as_view(), name="category_edit"),
    path("checklist/new/", views.CriterionEditView.as_view(), name="criterion_create"),
    path("checklist/<int:pk>/edit/", views.CriterionEditView.as_view(), name="criterion_edit"),
    path("screening/", views.ScreeningView.as_view(), name="screening"),
    path("screening/rate/", views.RatingCreateView.as_view(), name="rating_create"),
    path("screening/export/", views.RatingExportView.as_view(), name="rating_export"),
    path("screening/import/", views.RatingImportView.as_view(), name="rating_import"),
    path(
        "screening/import/template/",
        views.RatingImportTemplateView.as_view(),
        name="rating_import_template",
    ),
    path(
        "screening/import/<int:pk>/",
        views.RatingImportPreviewView.as_view(),
        name="rating_import_preview",
    ),
    path(
        "screening/import/<int:pk>/confirm/",
        views.RatingImportConfirmView.as_view(),
        name="rating_import_confirm",
    ),
    path("tasks/<int:pk>/progress/", views.TaskProgressView.as_view(), name="task_progress"),
]
