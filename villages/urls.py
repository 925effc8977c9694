from django.urls import path

from villages import views

urlpatterns = [
    path("townships/", views.TownshipListView.as_view(), name="township_list"),
    path("villages/", views.VillageListView.as_view(), name="village_list"),
    path("villages/export/", views.VillageExportView.as_view(), name="village_export"),
    path("villages/<code:code>/", views.VillageDetailView.as_view(), name="village_detail"),
    path("villages/<code:code>/edit/", views.VillageUpdateView.as_view(), name="village_edit"),
]
