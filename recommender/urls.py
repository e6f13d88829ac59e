from django.urls import path

from recommender import views

app_name = "recommender"

urlpatterns = [
    path("for-you/", views.for_you, name="for_you"),
    path("for-you/next/", views.next_recommendation, name="next"),
]
