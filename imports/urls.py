from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/paste/", views.paste, name="paste"),
]
