from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from ratings.accounts import SiteLoginView

urlpatterns = [
    path("", include("catalog.urls")),
    path("", include("ratings.urls")),
    path("", include("recommender.urls")),
    path("accounts/login/", SiteLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("about/", TemplateView.as_view(template_name="about.html"), name="about"),
    path("admin/", admin.site.urls),
]
