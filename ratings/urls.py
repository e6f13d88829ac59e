from django.urls import path

from ratings import diary_views, views
from ratings.transfer.views import urlpatterns_transfer

app_name = "ratings"

urlpatterns = [
    path("films/<int:pk>/rating/", views.rate, name="rate"),
    path("films/<int:pk>/lists/<slug:kind>/", views.set_list, name="set_list"),
    path("me/ratings/", views.my_ratings, name="my_ratings"),
    path("me/lists/<slug:slug>/", views.movie_list, name="movie_list"),
    path("films/<int:pk>/log/", diary_views.log_watch, name="log_watch"),
    path("me/diary/", diary_views.diary_latest, name="diary"),
    path("me/diary/<int:year>/<int:month>/", diary_views.diary_month, name="diary_month"),
    path("me/diary/entries/<int:pk>/", diary_views.edit_entry, name="diary_entry"),
    path("me/diary/entries/<int:pk>/delete/", diary_views.delete_entry, name="diary_delete"),
    path("welcome/", views.onboarding, name="onboarding"),
    *urlpatterns_transfer,
]
