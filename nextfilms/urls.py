from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

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
]
