"""The account forms: log-in, sign-up, email change, deletion, password change.

Forms that take a password the member already has check it as a log-in does
(:func:`is_own_password`), so wrong guesses count toward the lockout.
"""

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm

User = get_user_model()


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
