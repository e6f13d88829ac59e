from django.urls import path

from ratings import views
from ratings.transfer.views import urlpatterns_transfer

app_name = "ratings"

urlpatterns = [
    path("films/<int:pk>/rating/", views.rate, name="rate"),
    path("films/<int:pk>/lists/<slug:kind>/", views.set_list, name="set_list"),
    path("me/ratings/", views.my_ratings, name="my_ratings"),
    path("me/lists/<slug:slug>/", views.movie_list, name="movie_list"),
    path("welcome/", views.onboarding, name="onboarding"),
    *urlpatterns_transfer,
]
