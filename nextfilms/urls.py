from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView


def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page links."""
    return redirect(static("img/favicon.svg"))


urlpatterns = [
    path("", include("catalog.urls")),
    path("", include("ratings.urls")),
    path("", include("recommender.urls")),
    path("", include("lists.urls")),
    path("", include("social.urls")),
    path("", include("taste.urls")),
    path("", include("api.urls")),
    path("accounts/", include("accounts.urls")),
    path("about/", TemplateView.as_view(template_name="about.html"), name="about"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
]
