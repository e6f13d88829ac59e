"""API tokens: made, found by the key a client sends, and marked as used.

A key reads ``nf_`` followed by 43 URL-safe characters (32 random bytes). Only
its SHA-256 hash is stored; the key is shown to the member once, when made.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiToken

KEY_PREFIX = "nf_"
SHOWN_PREFIX_LENGTH = 8
MAX_TOKENS_PER_MEMBER = 20
# "Last used" is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A token that cannot be made (a name taken, too many tokens)."""


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user, name):
    """Make a token named ``name`` for ``user``; returns ``(token, key)``, the key shown once."""
    if ApiToken.objects.filter(user=user).count() >= MAX_TOKENS_PER_MEMBER:
        raise TokenError(
            f"You have {MAX_TOKENS_PER_MEMBER} tokens, the most one account can have. "
            "Revoke one you no longer use first."
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=key[: len(KEY_PREFIX) + SHOWN_PREFIX_LENGTH],
                key_hash=hash_key(key),
            )
    except IntegrityError as error:
        raise TokenError(f"You already have a token named “{name}”.") from error
    return token, key


def revoke_token(user, token_id):
    """Delete ``user``'s token ``token_id``; returns its name, or None if there was none."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return None
    token.delete()
    return token.name


def token_for_key(key):
    """The token ``key`` belongs to, with its member, or None; marks it as used."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
