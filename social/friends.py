"""Following, friendship, invite links and who may see a member's ratings.

Friends are members who follow each other; accepting an invite link makes the
inviter and the invited follow each other at once.
"""

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction

from social.models import Follow, Invite, Privacy

INVITE_SALT = "social.invite"


def friends_of(user):
    """The members ``user`` follows who follow ``user`` back, by username."""
    return (
        get_user_model()
        .objects.filter(follows__followed=user, followed_by__follower=user)
        .order_by("username")
    )


def are_friends(one, other):
    if not (one.is_authenticated and other.is_authenticated) or one == other:
        return False
    pairs = Follow.objects.filter(follower=one, followed=other) | Follow.objects.filter(
        follower=other, followed=one
    )
    return pairs.count() == 2


def follow(follower, followed):
    if follower != followed:
        Follow.objects.get_or_create(follower=follower, followed=followed)


def unfollow(follower, followed):
    Follow.objects.filter(follower=follower, followed=followed).delete()


def ratings_audience(user):
    row = Privacy.objects.filter(user=user).values_list("ratings_audience", flat=True).first()
    return row or Privacy.Audience.PRIVATE


def can_see_ratings(viewer, owner):
    """Whether ``viewer`` (perhaps a visitor) may see ``owner``'s ratings."""
    if viewer.is_authenticated and viewer == owner:
        return True
    audience = ratings_audience(owner)
    if audience == Privacy.Audience.PUBLIC:
        return True
    return audience == Privacy.Audience.FRIENDS and are_friends(viewer, owner)


def invite_token(invite):
    """The signed token of an invite's link: it names the invite and cannot be forged.

    The invite's row says until when it works and whether it was revoked.
    """
    return signing.Signer(salt=INVITE_SALT).sign(str(invite.pk))


def invite_for_token(token):
    """The usable invite a link names, or None (forged, expired or revoked)."""
    try:
        pk = int(signing.Signer(salt=INVITE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Invite.objects.usable().select_related("inviter").filter(pk=pk).first()


@transaction.atomic
def accept_invite(invite, user):
    """``user`` and the inviter become friends (each follows the other)."""
    follow(user, invite.inviter)
    follow(invite.inviter, user)
