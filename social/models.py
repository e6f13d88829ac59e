"""Friends, who sees a member's ratings, invite links and watch-together groups.

Two members are *friends* when each follows the other. Accepting an invite
link makes both follow each other, so an accepted invite is a friendship too;
either unfollowing ends it.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

INVITE_LIFETIME = timedelta(days=7)


def new_token():
    return secrets.token_urlsafe(16)


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followed")), name="follow_not_self"),
        ]

    def __str__(self):
        return f"{self.follower} follows {self.followed}"


class Privacy(models.Model):
    """Who sees a member's ratings; a member without a row keeps them private."""

    class Audience(models.TextChoices):
        PRIVATE = "private", "Only me"
        FRIENDS = "friends", "My friends"
        PUBLIC = "public", "Everyone (a public profile page)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ratings_audience = models.CharField(
        "Who sees my ratings", max_length=10, choices=Audience, default=Audience.PRIVATE
    )

    class Meta:
        verbose_name_plural = "privacy settings"

    def __str__(self):
        return f"{self.user}: ratings seen by {self.get_ratings_audience_display()}"


class InviteQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at=None, expires_at__gt=timezone.now())


class Invite(models.Model):
    """A friend invitation: its link is signed (``social.friends``), expires and can be revoked."""

    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invites"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invite from {self.inviter} until {self.expires_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = timezone.now() + INVITE_LIFETIME
        super().save(*args, **kwargs)


class WatchGroup(models.Model):
    """People watching together: the host, the friends who joined, and perhaps a guest.

    The token is the group's link: a friend of the host who opens it after signing
    in can join. A guest has no account: their quick ratings live here.
    """

    token = models.CharField(max_length=32, unique=True, default=new_token)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_groups"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="watch_groups")
    guest_name = models.CharField(max_length=40, blank=True)
    guest_ratings = models.JSONField(default=dict, blank=True)  # {"movie id": stars}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Watch together hosted by {self.host}"

    def get_absolute_url(self):
        return reverse("social:group", args=[self.token])

    @property
    def has_guest(self):
        return bool(self.guest_name)
