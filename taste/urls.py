from django.urls import path

from taste import views

app_name = "taste"

urlpatterns = [
    path("me/taste/", views.taste, name="taste"),
]
