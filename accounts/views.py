"""Accounts: sign-up, throttled log-in by username or email, settings, deletion.

Built on ``django.contrib.auth``; its views handle log-out and password change
and reset with the templates in ``templates/registration/``. django-axes
counts failed log-ins (``accounts/limits.py`` says against what) and shows
:func:`locked_out` once there are too many. A visitor's star or list click
kept through log-in or sign-up (``ratings.pending``) is applied right after.
"""

from urllib.parse import urlencode

from axes.utils import reset as reset_login_failures
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
)
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import extensions, limits
from accounts.forms import (
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    SignUpForm,
    SitePasswordChangeForm,
)
from nextfilms.http import safe_next_url
from ratings import pending

BACKEND = "accounts.backends.UsernameOrEmailBackend"


class SitePasswordChangeView(PasswordChangeView):
    form_class = SitePasswordChangeForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["user"]  # the form takes the request, whose user it is
        return {**kwargs, "request": self.request}


class SiteLoginView(LoginView):
    """Log-in; a visitor's pending star or list click is applied right after."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = pending.remember(self.request)
        context["switch_query"] = _switch_query(context["next"], context["pending"])
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        pending.apply(self.request)
        return response


def locked_out(request, response=None, credentials=None):
    """The page for too many failed log-ins (django-axes' ``AXES_LOCKOUT_CALLABLE``)."""
    next_url = _safe_next(request, "")
    pending_action = pending.remember(request)
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    page = render(
        request,
        "registration/locked_out.html",
        {
            "minutes": minutes,
            "pending": pending_action,
            "switch_query": _switch_query(next_url, pending_action),
        },
        status=429,
    )
    page["Retry-After"] = str(minutes * 60)
    return page


class LimitedPasswordResetView(PasswordResetView):
    """Password reset, with an hourly limit per client and per address mailed."""

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().casefold()
        for_address = limits.over_hourly_limit(
            "reset-address", address, settings.RESET_LIMIT_PER_ADDRESS_PER_HOUR
        )
        from_client = limits.over_hourly_limit(
            "reset-client", limits.client_ip(self.request), settings.RESET_LIMIT_PER_IP_PER_HOUR
        )
        if for_address or from_client:
            form.add_error(
                None,
                "Too many reset emails were asked for this address or from your connection. "
                "Wait an hour before asking again, and look for the ones already sent "
                "(check your spam folder too).",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class SiteResetConfirmView(PasswordResetConfirmView):
    """A new password from the emailed link lifts a log-in lockout, for the account and here."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_login_failures(username=form.user.get_username())
        reset_login_failures(ip=limits.client_ip(self.request))
        return response


def _switch_query(next_url, pending_action):
    """The query that carries ``next`` and the pending action between log-in and sign-up."""
    query = {"next": next_url} if next_url else {}
    if pending_action:
        query.update(pending_action.as_query())
    return f"?{urlencode(query)}" if query else ""


def _safe_next(request, default):
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next"), default)


def signup(request):
    if request.user.is_authenticated:
        return redirect("catalog:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_many_sign_ups(request, form):
        user = form.save()
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome to NextFilms, {user.get_username()}!")
        pending.apply(request)
        onboarding = reverse("ratings:onboarding")
        next_url = _safe_next(request, "")
        return redirect(f"{onboarding}?{urlencode({'next': next_url})}" if next_url else onboarding)
    next_url = _safe_next(request, "")
    pending_action = pending.remember(request)
    return render(
        request,
        "registration/signup.html",
        {
            "form": form,
            "next": next_url,
            "pending": pending_action,
            "switch_query": _switch_query(next_url, pending_action),
        },
        status=429 if form.has_error(NON_FIELD_ERRORS, "too_many") else 200,
    )


def _too_many_sign_ups(request, form):
    """Count an account about to be made from this client; past the limit, say so on the form."""
    if not limits.over_hourly_limit(
        "sign-up", limits.client_ip(request), settings.SIGNUP_LIMIT_PER_HOUR
    ):
        return False
    form.add_error(
        None,
        forms.ValidationError(
            "Too many accounts were made from your connection in the last hour. "
            "Please try again later.",
            code="too_many",
        ),
    )
    return True


@login_required
def account_settings(request):
    email_form = EmailForm(request, request.POST or None)
    if request.method == "POST" and email_form.is_valid():
        user = email_form.save()
        if email_form.address_changed and email_form.previous_email:
            _tell_previous_address(request, user, email_form.previous_email)
        messages.success(request, "Your email address is saved.")
        return redirect("accounts:settings")
    return render(
        request,
        "registration/settings.html",
        {
            "email_form": email_form,
            "delete_form": DeleteAccountForm(request),
            "panels": extensions.settings_panels(request),
        },
    )


def _tell_previous_address(request, user, previous_email):
    """Someone who took over a session cannot quietly move the account to their own address."""
    context = {"user": user, "new_email": user.email, "site_url": request.build_absolute_uri("/")}
    send_mail(
        render_to_string("registration/email_changed_subject.txt", context).strip(),
        render_to_string("registration/email_changed_email.txt", context),
        None,
        [previous_email],
    )


@login_required
@require_POST
def delete_account(request):
    form = DeleteAccountForm(request, request.POST)
    if not form.is_valid():
        return render(
            request,
            "registration/settings.html",
            {
                "email_form": EmailForm(request),
                "delete_form": form,
                "panels": extensions.settings_panels(request),
            },
            status=400,
        )
    user = request.user
    logout(request)
    user.delete()
    messages.success(request, "Your account and everything in it are deleted.")
    return redirect("catalog:home")
