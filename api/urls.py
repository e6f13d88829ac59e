from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import errors, token_views
from api.views import catalog, diary, lists, members, recommendations
from ratings.models import ListEntry

app_name = "api"

favorites, favorite = members.list_views(ListEntry.Kind.FAVORITE)
watchlist, watchlist_entry = members.list_views(ListEntry.Kind.WATCHLIST)
not_interested, not_interested_entry = members.list_views(ListEntry.Kind.NOT_INTERESTED)

# Swagger UI draws its icons from data: URIs; only its page allows them.
docs = csp_update({"img-src": ["data:"]})(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="api/swagger_ui.html", title="NextFilms API"
    )
)

v1 = [
    path("", catalog.IndexView.as_view(), name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
    path("films/", catalog.FilmListView.as_view(), name="search_films"),
    path("films/<int:pk>/", catalog.FilmDetailView.as_view(), name="film"),
    path("films/<int:pk>/similar/", catalog.SimilarFilmsView.as_view(), name="similar_films"),
    path("people/", catalog.PersonListView.as_view(), name="search_people"),
    path("people/<int:pk>/", catalog.PersonDetailView.as_view(), name="person"),
    path("me/", members.MeView.as_view(), name="me"),
    path("me/ratings/", members.MyRatingListView.as_view(), name="my_ratings"),
    path("me/ratings/<int:film_id>/", members.MyRatingView.as_view(), name="my_rating"),
    path("me/favorites/", favorites, name="favorites"),
    path("me/favorites/<int:film_id>/", favorite, name="favorite"),
    path("me/watchlist/", watchlist, name="watchlist"),
    path("me/watchlist/<int:film_id>/", watchlist_entry, name="watchlist_entry"),
    path("me/not-interested/", not_interested, name="not_interested"),
    path("me/not-interested/<int:film_id>/", not_interested_entry, name="not_interested_entry"),
    path("me/diary/", diary.DiaryView.as_view(), name="diary"),
    path("me/diary/<int:pk>/", diary.DiaryEntryView.as_view(), name="diary_entry"),
    path("me/lists/", lists.MyListsView.as_view(), name="my_lists"),
    path("lists/<int:pk>/", lists.ListView.as_view(), name="list"),
    path("lists/<int:pk>/films/", lists.ListFilmsView.as_view(), name="list_films"),
    path("lists/<int:pk>/films/<int:film_id>/", lists.ListFilmView.as_view(), name="list_film"),
    path("lists/<int:pk>/order/", lists.ListOrderView.as_view(), name="list_order"),
    path(
        "me/recommendations/",
        recommendations.RecommendationsView.as_view(),
        name="recommendations",
    ),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    re_path(r"^api/", errors.not_found),
    path("accounts/settings/api-tokens/new/", token_views.new_token, name="new_token"),
    path(
        "accounts/settings/api-tokens/<int:pk>/revoke/",
        token_views.revoke_token,
        name="revoke_token",
    ),
]
