from django.urls import path

from inspections import views

urlpatterns = [
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("inspections/<slug:slug>/", views.inspection_detail, name="inspection-detail"),
]
