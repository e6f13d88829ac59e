"""The API's own data: the access tokens members make on their settings page."""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A member's named API token, kept as a SHA-256 hash: the token itself is shown once.

    Tokens are 256 random bits, so a fast hash is enough (nobody can guess
    their way back from it) and a request finds its token by one indexed lookup.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the member calls it.")
    prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell tokens apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_name_once_per_user")
        ]

    def __str__(self):
        return f"{self.name} ({self.user})"
