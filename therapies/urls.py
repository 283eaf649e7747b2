from django.urls import path

from . import views

app_name = "therapies"

urlpatterns = [
    path("<slug:slug>/", views.therapy_detail, name="therapy-detail"),
]
