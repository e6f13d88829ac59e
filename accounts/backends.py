"""Authentication: log in with the username or the email address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

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
