import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Every token starts with this, so that a leaked one is recognised (and secret scanners can
# find it); the rest is 32 random bytes.
TOKEN_PREFIX = "irt_"  # noqa: S105 - a public marker, not a secret
# How much of a token is kept in clear, to tell a person's tokens apart in lists.
SHOWN_CHARACTERS = 8


def token_hash(token: str) -> str:
    """A token has 256 random bits, so one round of SHA-256 is enough to store it safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named key to the write API, shown once when created; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. the system that uses it."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_start = models.CharField(
        max_length=20, editable=False, help_text="The token's first characters, to recognise it."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(
                name="apitoken_name_unique_while_active",
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
            ),
            models.CheckConstraint(name="apitoken_name_not_blank", condition=~Q(name="")),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_start}…) of {self.user}"

    @property
    def is_active(self):
        return self.revoked_at is None
