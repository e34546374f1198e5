"""API tokens on the account pages: created by organisation users and inspectors, shown once,
stored only as a hash, named, revoked."""

import hashlib
import re

import pytest

from accounts.models import User
from api.models import ApiToken
from audit.models import ActionLog

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'value="(irt_[A-Za-z0-9_-]+)"')


def create(client, name="Case system"):
    return client.post("/account/tokens/", {"name": name})


def test_anonymous_person_is_sent_to_sign_in(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/account/tokens/"


def test_a_person_without_a_role_is_refused(client):
    client.force_login(User.objects.create_user(username="nobody"))
    assert client.get("/account/tokens/").status_code == 403
    assert create(client).status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("persona", ["met_user", "mopac_lead", "inspector", "admin_user"])
def test_organisation_users_and_inspectors_have_the_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/account/tokens/")
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">API tokens</h1>' in response.content.decode()
    account = client.get("/account/").content.decode()
    assert '<a class="govuk-link" href="/account/tokens/">API tokens</a>' in account


def test_the_account_page_has_no_link_for_a_person_without_a_role(client):
    client.force_login(User.objects.create_user(username="nobody"))
    assert "/account/tokens/" not in client.get("/account/").content.decode()


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, met_user, item):
    client.force_login(met_user)

    response = create(client)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    (token,) = TOKEN.findall(page)
    assert "Copy it now: it will not be shown again." in page
    row = ApiToken.objects.get()
    assert row.name == "Case system"
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.key_start) and len(row.key_start) < 16
    assert not ApiToken.objects.filter(key_hash__contains=token).exists()
    listing = client.get("/account/tokens/").content.decode()
    assert token not in listing
    assert row.key_start in listing
    assert ActionLog.objects.filter(action="api.token.created", actor=met_user).exists()
    # The token works.
    api = client.get("/api/v1/items/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the token"),
        ("Case system", "You already have a token with that name"),
    ],
)
def test_a_token_needs_a_new_name(client, met_user, name, message):
    client.force_login(met_user)
    create(client)

    response = create(client, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TOKEN.findall(response.content.decode())
    assert ApiToken.objects.count() == 1


def test_revoking_stops_the_token_at_once(client, met_user, item):
    client.force_login(met_user)
    token = TOKEN.findall(create(client).content.decode())[0]
    row = ApiToken.objects.get()

    confirm = client.get(f"/account/tokens/{row.pk}/revoke/")
    assert confirm.status_code == 200
    assert "Revoke the token “Case system”?" in confirm.content.decode()
    response = client.post(f"/account/tokens/{row.pk}/revoke/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    listing = client.get("/account/tokens/").content.decode()
    assert "has been revoked" in listing
    assert "Revoked" in listing
    assert ActionLog.objects.filter(action="api.token.revoked").exists()
    # The name is free again.
    assert TOKEN.findall(create(client).content.decode())


def test_nobody_revokes_another_persons_token(client, met_user, kent_user):
    client.force_login(kent_user)
    create(client)
    row = ApiToken.objects.get()
    client.force_login(met_user)

    assert client.get(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    row.refresh_from_db()
    assert row.is_active


def test_an_administrator_can_revoke_tokens_in_the_admin(client, admin_user, met_user):
    client.force_login(met_user)
    create(client)
    row = ApiToken.objects.get()
    client.force_login(admin_user)

    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
