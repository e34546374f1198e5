"""Who may see and do what, per object, on every portal and workspace URL.

404 for what the person may not see, 403 for what they may see but not change (or a role they do
not have), a redirect to sign in for anonymous people. The rules hold whatever the URL says.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inspections.models import EngagePeriod
from inspections.services import engage_enter
from recommendations.models import Finding
from recommendations.services import (
    due_date_propose,
    finding_add_addressees,
    inspection_set_publication,
    item_submit_for_closure,
    progress_update_add,
    section55_open_responses,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PERSONAS = [
    "anonymous",
    "met_user",
    "met_lead",
    "mopac_lead",
    "kent_user",
    "inspector",
    "other_inspector",
    "admin_user",
]


@pytest.fixture
def world(
    inspection,
    item,
    kent_item,
    met,
    kent,
    hmicfrs,
    custody,
    inspector,
    met_user,
    met_lead,
    mopac_lead,
    kent_user,
    other_inspector,
    admin_user,
):
    from inspections.models import Inspection

    update = progress_update_add(
        item=item,
        author=met_user,
        narrative="Board set up.",
        self_assessment="on_track",
        evidence=[SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")],
    )
    item.refresh_from_db()
    due_date_propose(
        item=kent_item,
        user=kent_user,
        proposed_due_date=timezone.localdate() + timedelta(days=200),
        reason="Staffing review takes longer.",
    )
    embargoed = Inspection.objects.create(
        title="Not yet published",
        slug="embargoed",
        programme=custody,
        lead_inspectorate=hmicfrs,
    )
    embargoed.organisations.add(met)
    inspection_set_publication(
        inspection=embargoed, published_at=timezone.now() + timedelta(days=3)
    )
    secret = Finding.objects.create(
        inspection=embargoed, kind="recommendation", reference="S1", text="Secret."
    )
    (secret_item,) = finding_add_addressees(finding=secret, organisations=[met])
    (response,) = section55_open_responses(inspection=inspection)
    engage_enter(organisation=kent, entered_on=timezone.localdate(), reasons="Concerns.")
    return {
        "own": item,
        "other": kent_item,
        "secret": secret_item,
        "evidence": update.evidence.get(),
        "proposal": kent_item.due_date_proposals.get(),
        "response": response,
        "engage": EngagePeriod.objects.get(),
        "users": {
            "met_user": met_user,
            "met_lead": met_lead,
            "mopac_lead": mopac_lead,
            "kent_user": kent_user,
            "inspector": inspector,
            "other_inspector": other_inspector,
            "admin_user": admin_user,
        },
    }


def url_for(world, name):
    """(method, url) of each checked page; ``own``/``other`` name whose item it is."""
    pages = {
        "portal findings": ("get", reverse("portal:findings")),
        "portal own item": ("get", reverse("portal:item", args=[world["own"].pk])),
        "portal other item": ("get", reverse("portal:item", args=[world["other"].pk])),
        "portal unpublished item": ("get", reverse("portal:item", args=[world["secret"].pk])),
        "portal own update": ("get", reverse("portal:add-update", args=[world["own"].pk])),
        "portal other update": ("get", reverse("portal:add-update", args=[world["other"].pk])),
        "portal own due date": ("get", reverse("portal:propose-due-date", args=[world["own"].pk])),
        "portal own submit": ("get", reverse("portal:submit", args=[world["own"].pk])),
        "portal other submit": ("get", reverse("portal:submit", args=[world["other"].pk])),
        "evidence": ("get", reverse("portal:evidence", args=[world["evidence"].pk])),
        "s55 list": ("get", reverse("portal:section55-list")),
        "s55 edit": ("get", reverse("portal:section55-edit", args=[world["response"].pk])),
        "workspace queue": ("get", reverse("workspace:queue")),
        "workspace item": ("get", reverse("workspace:item", args=[world["own"].pk])),
        "workspace unpublished item": (
            "get",
            reverse("workspace:item", args=[world["secret"].pk]),
        ),
        "workspace decide": ("post", reverse("workspace:decide", args=[world["own"].pk])),
        "workspace proposal": ("get", reverse("workspace:proposal", args=[world["proposal"].pk])),
        "workspace overdue": ("get", reverse("workspace:overdue")),
        "workspace engage": ("get", reverse("workspace:engage")),
        "workspace engage enter": ("get", reverse("workspace:engage-enter")),
        "workspace engage leave": (
            "get",
            reverse("workspace:engage-leave", args=[world["engage"].pk]),
        ),
    }
    return pages[name]


# Expected status codes: one row per page, one column per persona (in PERSONAS order).
# 302: sent to sign in. 200: allowed. 403: seen but not theirs to do. 404: not theirs to see.
#                              anon met  lead mopac kent insp other admin
MATRIX = {
    "portal findings":            (302, 200, 200, 200, 200, 403, 403, 403),
    "portal own item":            (302, 200, 200, 404, 404, 403, 403, 403),
    "portal other item":          (302, 404, 404, 404, 200, 403, 403, 403),
    "portal unpublished item":    (302, 404, 404, 404, 404, 403, 403, 403),
    "portal own update":          (302, 200, 200, 404, 404, 403, 403, 403),
    "portal other update":        (302, 404, 404, 404, 200, 403, 403, 403),
    "portal own due date":        (302, 200, 200, 404, 404, 403, 403, 403),
    "portal own submit":          (302, 403, 200, 404, 404, 403, 403, 403),
    "portal other submit":        (302, 404, 404, 404, 403, 403, 403, 403),
    "evidence":                   (302, 200, 200, 404, 404, 200, 200, 200),
    "s55 list":                   (302, 200, 200, 200, 200, 403, 403, 403),
    "s55 edit":                   (302, 404, 404, 200, 404, 403, 403, 403),
    "workspace queue":            (302, 403, 403, 403, 403, 200, 200, 200),
    "workspace item":             (302, 403, 403, 403, 403, 200, 200, 200),
    "workspace unpublished item": (302, 403, 403, 403, 403, 200, 404, 200),
    "workspace decide":           (302, 403, 403, 403, 403, 409, 403, 409),
    "workspace proposal":         (302, 403, 403, 403, 403, 200, 403, 200),
    "workspace overdue":          (302, 403, 403, 403, 403, 200, 200, 200),
    "workspace engage":           (302, 403, 403, 403, 403, 200, 200, 200),
    "workspace engage enter":     (302, 403, 403, 403, 403, 200, 403, 200),
    "workspace engage leave":     (302, 403, 403, 403, 403, 200, 403, 200),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(client, world, page, persona):
    expected = MATRIX[page][PERSONAS.index(persona)]
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    method, url = url_for(world, page)
    # A decision without its one-time token is refused and the form shown again (409) when
    # allowed, so the matrix checks the permission without changing anything.
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert response.status_code == expected, (page, persona, response.status_code)
    if expected == 302:
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.django_db
def test_form_data_cannot_reach_another_organisations_item(client, world):
    """Posting to one's own URL with another item's id in the data changes nothing else."""
    client.force_login(world["users"]["kent_user"])
    own = world["own"]
    response = client.post(
        reverse("portal:add-update", args=[own.pk]),
        {"narrative": "Not mine", "self_assessment": "on_track", "publish": "yes", "version": 1},
    )
    assert response.status_code == 404
    assert not own.updates.filter(narrative="Not mine").exists()


@pytest.mark.django_db
def test_inspector_of_another_inspectorate_cannot_decide(client, world):
    item = world["own"]
    item_submit_for_closure(item=item, note="Done.")
    item.refresh_from_db()
    client.force_login(world["users"]["other_inspector"])
    response = client.post(
        reverse("workspace:decide", args=[item.pk]),
        {"decision": "accept", "note": "Looks fine.", "version": item.version},
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "submitted"


@pytest.mark.django_db
def test_member_who_is_not_lead_cannot_publish_section55(client, world, mopac):
    from accounts.models import Membership, User

    member = User.objects.create_user(username="mopac-member", password="pw-x-12345")
    Membership.objects.create(user=member, organisation=mopac)
    response_obj = world["response"]
    client.force_login(member)
    url = reverse("portal:section55-edit", args=[response_obj.pk])
    assert client.get(url).status_code == 200
    posted = client.post(url, {"version": response_obj.version, "text": "Ours.", "publish": "1"})
    assert posted.status_code == 403
    response_obj.refresh_from_db()
    assert response_obj.received_on is None and response_obj.text == ""
