"""Creating and revoking API tokens, each logged in the action log."""

from django.db import transaction
from django.utils import timezone

from api.models import SHOWN_CHARACTERS, TOKEN_PREFIX, ApiToken, new_token, token_hash
from audit.services import log_action
from core.errors import DomainError

MAX_ACTIVE_TOKENS = 10


def may_have_tokens(user) -> bool:
    """Organisation users and inspectors may; the issue gives tokens to nobody else."""
    return user.is_authenticated and (user.is_organisation_user or user.is_inspector)


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself, which is never stored."""
    name = name.strip()
    if not name:
        raise DomainError("Enter a name for the token.")
    if not may_have_tokens(user):
        raise DomainError("Only organisation users and inspectors can have API tokens.")
    active = ApiToken.objects.active().select_for_update().filter(user=user)
    if active.filter(name=name).exists():
        raise DomainError("You already have a token with that name: choose another.")
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            f"You have {MAX_ACTIVE_TOKENS} tokens already: revoke one you no longer use first."
        )
    token = new_token()
    row = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=token_hash(token),
        key_start=token[: len(TOKEN_PREFIX) + SHOWN_CHARACTERS],
    )
    log_action(action="api.token.created", obj=row, actor=user, data={"name": name})
    return row, token


@transaction.atomic
def token_revoke(*, token: ApiToken, user) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    log_action(action="api.token.revoked", obj=locked, actor=user, data={"name": locked.name})
    return locked
