"""Accounts: sign-up, throttled log-in by username or email, settings, deletion.

Built on ``django.contrib.auth``; its views handle log-out and password change
and reset with the templates in ``templates/registration/``. django-axes
counts failed log-ins (``ratings/limits.py`` says against what) and shows
:func:`locked_out` once there are too many.
"""

from urllib.parse import urlencode

from axes.utils import reset as reset_login_failures
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
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
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ratings import limits, pending

User = get_user_model()


class UsernameOrEmailBackend(ModelBackend):
    """Log in with either the username or the email address.

    Input with an "@" is an email address first; when no account has that
    address it is tried as a username, for accounts made before sign-up
    refused "@" in usernames (or made by staff in the admin).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            match = User._default_manager.filter(email__iexact=username).first()
            if match is not None:
                username = match.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Username or email",
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocapitalize": "none", "autocomplete": "username"}
        ),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That username or email and password do not match. "
        "Passwords are case-sensitive.",
    }


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=True,
        help_text="For password resets only. We never share it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
        help_texts = {"username": "Up to 150 letters, digits and . + - _ (no spaces or “@”)."}

    def clean_username(self):
        username = super().clean_username()
        if "@" in username:
            # Log-in reads a name with "@" as an email address.
            raise forms.ValidationError(
                "A username cannot contain “@”: you log in with your username or your email, "
                "and an “@” makes them look alike. Letters, digits and . + - _ are fine."
            )
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email


def is_own_password(request, password):
    """Check the member's password as a log-in does, so wrong guesses count toward the lockout."""
    member = authenticate(request, username=request.user.get_username(), password=password)
    return member is not None and member.pk == request.user.pk


class EmailForm(forms.ModelForm):
    """A new email address; the current password proves it is the member asking."""

    current_password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password to change your email."},
    )

    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, instance=request.user, **kwargs)
        self.fields["email"].required = True
        self.previous_email = self.instance.email

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User._default_manager.exclude(pk=self.instance.pk)
        if others.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if not is_own_password(self.request, password):
            raise forms.ValidationError("That is not your current password.")
        return password

    @property
    def address_changed(self):
        return self.previous_email.casefold() != self.instance.email.casefold()


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not is_own_password(self.request, password):
            raise forms.ValidationError("That is not your password.")
        return password


class SitePasswordChangeForm(PasswordChangeForm):
    """Django's form, with the old password checked as a log-in (see :func:`is_own_password`)."""

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request.user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not is_own_password(self.request, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


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
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def signup(request):
    if request.user.is_authenticated:
        return redirect("catalog:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _too_many_sign_ups(request, form):
        user = form.save()
        login(request, user, backend="ratings.accounts.UsernameOrEmailBackend")
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
        return redirect("ratings:settings")
    return render(
        request,
        "registration/settings.html",
        {"email_form": email_form, "delete_form": DeleteAccountForm(request)},
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
            {"email_form": EmailForm(request), "delete_form": form},
            status=400,
        )
    user = request.user
    logout(request)
    user.delete()
    messages.success(request, "Your account and everything in it are deleted.")
    return redirect("catalog:home")
