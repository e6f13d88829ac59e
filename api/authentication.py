"""Token authentication: ``Authorization: Bearer nf_…`` with a token made in settings."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.tokens import token_for_key


class BearerTokenAuthentication(BaseAuthentication):
    """A member's API token; ``request.auth`` is the :class:`~api.models.ApiToken`.

    A request without the header falls through to the session. A header with a
    wrong, revoked or malformed token is refused outright, never treated as a visitor.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must read “Bearer <token>”, with no spaces in the token."
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        token = token_for_key(key) if key else None
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "This token is not valid: it may have been revoked. "
                "Make a new one in your settings."
            )
        return token.user, token

    def authenticate_header(self, request):
        # Makes refusals 401 (with this challenge) rather than 403.
        return 'Bearer realm="NextFilms API"'
