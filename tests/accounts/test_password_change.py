"""Changing your password while signed in."""

from tests.accounts.conftest import text

CHANGE = "/account/password/"


def test_anonymous_person_is_sent_to_sign_in(client, db):
    response = client.get(CHANGE)

    assert response["Location"] == "/account/sign-in/?next=/account/password/"


def test_wrong_current_password_is_refused(client, met_user):
    client.force_login(met_user)

    response = client.post(
        CHANGE,
        {
            "old_password": "not-it",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )

    assert response.status_code == 200
    assert '<a href="#id_old_password">Your current password is not correct</a>' in (
        response.content.decode()
    )
    met_user.refresh_from_db()
    assert met_user.check_password("pw-met-1")


def test_empty_form_asks_for_each_password(client, met_user):
    client.force_login(met_user)

    response = client.post(CHANGE, {})

    assert (
        "There is a problem Enter your current password Enter a new password "
        "Enter your new password again"
    ) in text(response)


def test_password_changes_and_the_person_stays_signed_in(client, met_user):
    client.force_login(met_user)

    response = client.post(
        CHANGE,
        {
            "old_password": "pw-met-1",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/account/password/done/", 302)]
    assert "Your password has been changed" in text(response)
    assert client.get("/account/").status_code == 200
    met_user.refresh_from_db()
    assert met_user.check_password("a-new-long-passphrase")
