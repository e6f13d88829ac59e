from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ratings import accounts, views
from ratings.transfer_views import urlpatterns_transfer

app_name = "ratings"

urlpatterns = [
    path("films/<int:pk>/rating/", views.rate, name="rate"),
    path("films/<int:pk>/lists/<slug:kind>/", views.set_list, name="set_list"),
    path("me/ratings/", views.my_ratings, name="my_ratings"),
    path("me/lists/<slug:slug>/", views.movie_list, name="movie_list"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/settings/", accounts.account_settings, name="settings"),
    path("accounts/delete/", accounts.delete_account, name="delete_account"),
    path(
        "accounts/password/",
        accounts.SitePasswordChangeView.as_view(
            success_url=reverse_lazy("ratings:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        accounts.LimitedPasswordResetView.as_view(
            success_url=reverse_lazy("ratings:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts.SiteResetConfirmView.as_view(
            success_url=reverse_lazy("ratings:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    *urlpatterns_transfer,
]
