"""A local policing body's section 55 response, from draft to the public inspection page."""

import pytest
from django.urls import reverse

from recommendations.services import section55_open_responses
from tests.core.tokens import shown


@pytest.fixture
def response(public_world):
    (awaited,) = section55_open_responses(inspection=public_world["inspection"])
    return awaited


def form_data(client, response, recommendation, **extra):
    return {
        **shown(client, reverse("portal:section55-edit", args=[response.pk])),
        "text": "The Mayor's Office welcomes the report.",
        "url": "",
        f"action_{recommendation.pk}": "will_be_taken",
        f"statement_{recommendation.pk}": "A new oversight board will report quarterly.",
        **extra,
    }


@pytest.mark.django_db
def test_draft_then_publish_reaches_the_public_page(client, response, public_world, mopac_lead):
    recommendation = public_world["recommendation"]
    inspection_url = reverse("public:inspection-detail", args=[public_world["inspection"].slug])
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])

    saved = client.post(url, form_data(client, response, recommendation, save="draft"))
    assert saved.status_code == 302
    response.refresh_from_db()
    assert response.received_on is None and response.statements.count() == 1
    assert b"A new oversight board" not in client.get(inspection_url).content  # a draft is private

    client.post(url, form_data(client, response, recommendation, publish="publish"))
    response.refresh_from_db()
    assert response.received_on is not None
    public = client.get(inspection_url).content.decode()
    assert "The Mayor&#x27;s Office welcomes the report." in public
    assert (
        "Action will be taken." in public
        and "A new oversight board will report quarterly." in public
    )
    # Published: the portal shows it, and it can no longer be changed.
    page = client.get(url)
    assert "Published on" in page.content.decode()


@pytest.mark.django_db
def test_publish_needs_a_statement_for_every_recommendation(
    client, response, public_world, mopac_lead
):
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])
    posted = client.post(url, {**shown(client, url), "text": "Our comments.", "publish": "publish"})
    html = posted.content.decode()
    assert "R1 still need a statement" in html
    assert "Your draft has been saved, but it is not published yet." in html
    response.refresh_from_db()
    assert response.received_on is None and response.text == "Our comments."
    # The form was rebased on the saved draft, so sending it again is not refused as stale.
    assert f'value="{response.version}"' in html


@pytest.mark.django_db
def test_statement_needs_its_action(client, response, public_world, mopac_lead):
    recommendation = public_world["recommendation"]
    client.force_login(mopac_lead)
    posted = client.post(
        reverse("portal:section55-edit", args=[response.pk]),
        form_data(client, response, recommendation, **{f"action_{recommendation.pk}": ""}),
    )
    assert "Select whether action has been taken" in posted.content.decode()
    response.refresh_from_db()
    assert response.text == ""


@pytest.mark.django_db
def test_two_people_saving_the_same_draft(client, response, public_world, mopac_lead):
    recommendation = public_world["recommendation"]
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])
    first = form_data(client, response, recommendation, text="First person's text.")
    second = form_data(client, response, recommendation, text="Second person's text.")
    assert client.post(url, first).status_code == 302
    refused = client.post(url, second)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved this response" in html
    assert "First person&#x27;s text." in html  # what the other saved is shown
    assert "Second person&#x27;s text." in html  # and what this person typed is kept
    response.refresh_from_db()
    assert response.text == "First person's text."


@pytest.mark.django_db
def test_saving_after_a_colleague_published_explains_and_keeps_the_text(
    client, response, public_world, mopac_lead
):
    from recommendations.services import section55_publish, section55_save_draft

    recommendation = public_world["recommendation"]
    client.force_login(mopac_lead)
    stale = form_data(client, response, recommendation, text="My late changes.")
    saved = section55_save_draft(
        response=response,
        user=mopac_lead,
        text="Published by a colleague.",
        statements={recommendation: ("taken", "Done.")},
    )
    section55_publish(response=saved, user=mopac_lead)
    posted = client.post(reverse("portal:section55-edit", args=[response.pk]), stale)
    assert posted.status_code == 409
    html = posted.content.decode()
    assert "Someone else published this response" in html and "My late changes." in html
    response.refresh_from_db()
    assert response.text == "Published by a colleague."


@pytest.mark.django_db
def test_a_wrong_web_address_is_shown_again_in_valid_html(
    client, response, public_world, mopac_lead
):
    client.force_login(mopac_lead)
    url = reverse("portal:section55-edit", args=[response.pk])

    posted = client.post(
        url,
        form_data(client, response, public_world["recommendation"], url="not a web address"),
    )

    html = posted.content.decode()
    assert "Enter a full web address, like https://www.example.org/" in html
    assert 'type="url"' not in html
    field = html.split('id="id_url"', 1)[1].split(">", 1)[0]
    assert 'type="text"' in field
    assert 'inputmode="url"' in field
    assert 'value="not a web address"' in field
