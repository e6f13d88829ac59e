from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("browse/", views.browse, name="browse"),
    path("rows/<slug:slug>/", views.genre_row, name="genre_row"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("films/<int:pk>/", views.movie_detail, name="movie_detail"),
    path("people/<int:pk>/", views.person_detail, name="person_short"),
    path("people/<int:pk>-<slug:slug>/", views.person_detail, name="person_detail"),
    path("keywords/<int:pk>/", views.keyword_detail, name="keyword_short"),
    path("keywords/<int:pk>-<slug:slug>/", views.keyword_detail, name="keyword_detail"),
    path("studios/<int:pk>/", views.company_detail, name="company_short"),
    path("studios/<int:pk>-<slug:slug>/", views.company_detail, name="company_detail"),
    path("tags/<path:tag>/", views.tag_detail, name="tag_detail"),
]
