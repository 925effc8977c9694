from django.urls import path

from inspections import views

urlpatterns = [
    path("rounds/", views.RoundListView.as_view(), name="round_list"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/export/", views.RoundExportView.as_view(), name="round_export"),
    path("rounds/quarterly/", views.QuarterlyReportView.as_view(), name="quarterly_report"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/move/", views.RoundMoveView.as_view(), name="round_move"),
    path("rounds/<int:pk>/draw/", views.DrawView.as_view(), name="round_draw"),
    path("rounds/<int:pk>/teams/new/", views.TeamCreateView.as_view(), name="team_create"),
    path("rounds/<int:pk>/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("rounds/<int:pk>/circular/", views.CircularDraftView.as_view(), name="circular_draft"),
    path("visits/", views.VisitListView.as_view(), name="visit_list"),
    path("visits/export/", views.VisitExportView.as_view(), name="visit_export"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/findings/", views.FindingCreateView.as_view(), name="finding_create"),
    path(
        "visits/<int:pk>/interviews/", views.AwarenessRecordView.as_view(), name="visit_interviews"
    ),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/export/", views.FindingExportView.as_view(), name="finding_export"),
    path("findings/pending/", views.FindingPendingView.as_view(), name="finding_pending"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path("findings/<int:pk>/answer/", views.FindingAnswerView.as_view(), name="finding_answer"),
    path("findings/<int:pk>/verify/", views.FindingVerifyView.as_view(), name="finding_verify"),
    path("circulars/", views.CircularListView.as_view(), name="circular_list"),
    path("circulars/<int:pk>/", views.CircularDetailView.as_view(), name="circular_detail"),
    path("circulars/<int:pk>/edit/", views.CircularEditView.as_view(), name="circular_edit"),
    path(
        "circulars/<int:pk>/publish/", views.CircularPublishView.as_view(), name="circular_publish"
    ),
    path(
        "circulars/<int:pk>/acknowledge/",
        views.CircularAcknowledgeView.as_view(),
        name="circular_acknowledge",
    ),
    path("circulars/<int:pk>/docx/", views.CircularDocxView.as_view(), name="circular_docx"),
]
