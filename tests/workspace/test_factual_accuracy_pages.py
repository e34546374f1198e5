"""The factual-accuracy check's pages, in the workspace and the portal: who sees the draft and
the comments (a policy matrix over the personas), and the whole exchange through the forms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, User
from audit.models import ActionLog
from recommendations.choices import FactualAccuracyResponse
from recommendations.models import FactualAccuracyCheck, FactualAccuracyComment
from recommendations.services import factual_accuracy_comment_add

DRAFT_WORDS = "Pre-release risk assessments lack detail."
COMMENT_WORDS = "We reviewed 63 cases, not 64."


@pytest.fixture
def kent_lead(kent):
    user = User.objects.create_user(username="kent-lead", password="pw-kent-lead-1")
    Membership.objects.create(user=user, organisation=kent, is_lead=True)
    return user


@pytest.fixture
def commented(check, met, met_lead):
    factual_accuracy_comment_add(
        check=check,
        user=met_lead,
        organisation=met,
        finding=check.inspection.findings.get(),
        text=COMMENT_WORDS,
    )
    return check


@pytest.fixture
def people(met_user, met_lead, kent_lead, cqc_inspector, inspector, admin_user):
    return {
        "public": None,
        "organisation user outside the check": kent_lead,
        "non-lead member": met_user,
        "lead": met_lead,
        "inspector of another inspectorate": cqc_inspector,
        "inspector of the lead inspectorate": inspector,
        "administrator": admin_user,
    }


SIGN_IN = "sign in"
# What each persona gets from each page: a status, or SIGN_IN; and whether the draft shows.
MATRIX = {
    "portal:checks": {
        "public": (SIGN_IN, False),
        "organisation user outside the check": (200, False),
        "non-lead member": (200, False),
        "lead": (200, True),
        "inspector of another inspectorate": (403, False),
        "inspector of the lead inspectorate": (403, False),
        "administrator": (403, False),
    },
    "portal:check": {
        "public": (SIGN_IN, False),
        "organisation user outside the check": (404, False),
        "non-lead member": (404, False),
        "lead": (200, True),
        "inspector of another inspectorate": (403, False),
        "inspector of the lead inspectorate": (403, False),
        "administrator": (403, False),
    },
    "workspace:checks": {
        "public": (SIGN_IN, False),
        "organisation user outside the check": (403, False),
        "non-lead member": (403, False),
        "lead": (403, False),
        "inspector of another inspectorate": (200, False),
        "inspector of the lead inspectorate": (200, True),
        "administrator": (200, True),
    },
    "workspace:check": {
        "public": (SIGN_IN, False),
        "organisation user outside the check": (403, False),
        "non-lead member": (403, False),
        "lead": (403, False),
        "inspector of another inspectorate": (404, False),
        "inspector of the lead inspectorate": (200, True),
        "administrator": (200, True),
    },
    "workspace:check-open": {
        "public": (SIGN_IN, False),
        "organisation user outside the check": (403, False),
        "non-lead member": (403, False),
        "lead": (403, False),
        "inspector of another inspectorate": (404, False),
        "inspector of the lead inspectorate": (200, True),
        "administrator": (200, True),
    },
}


def url_of(name, check):
    if name in {"portal:checks", "workspace:checks"}:
        return reverse(name)
    if name == "workspace:check-open":
        return reverse(name, args=[check.inspection_id])
    return reverse(name, args=[check.pk])


@pytest.mark.parametrize("name", MATRIX)
@pytest.mark.parametrize("persona", list(MATRIX["portal:check"]))
def test_who_sees_the_draft(client, commented, people, name, persona):
    user = people[persona]
    if user is not None:
        client.force_login(user)
    expected, sees_draft = MATRIX[name][persona]

    response = client.get(url_of(name, commented))

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    else:
        assert response.status_code == expected
    body = response.content.decode()
    assert (commented.inspection.title in body) is sees_draft
    if name.endswith(":check"):
        assert (DRAFT_WORDS in body) is sees_draft
        assert (COMMENT_WORDS in body) is sees_draft


def test_nothing_of_a_check_is_public_once_published(client, commented):
    """Publication makes the report public, never the comments nor the answers."""
    type(commented.inspection).objects.filter(pk=commented.inspection_id).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    afi = commented.inspection.findings.get()
    urls = [
        reverse("public:inspection-detail", args=[commented.inspection.slug]),
        reverse("public:finding-detail", args=[afi.pk]),
        reverse("public:finding-list") + "?q=63",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert COMMENT_WORDS not in response.content.decode()
    assert DRAFT_WORDS in client.get(urls[1]).content.decode()


def test_a_partner_inspector_answers_but_does_not_open_or_close(client, check, cqc, cqc_inspector):
    check.inspection.partner_inspectorates.add(cqc)
    client.force_login(cqc_inspector)

    page = client.get(reverse("workspace:check", args=[check.pk]))
    opening = client.get(reverse("workspace:check-open", args=[check.inspection_id]))
    closing = client.post(
        reverse("workspace:check-close", args=[check.pk]), {"token": page.context["token"]}
    )

    assert page.status_code == 200 and b"Close the check now" not in page.content
    assert opening.status_code == 403
    assert closing.status_code == 403
    check.refresh_from_db()
    assert not check.is_closed


def test_the_exchange_through_the_pages(client, draft, inspector, met_lead):
    client.force_login(inspector)
    listing = client.get(reverse("workspace:checks"))
    assert draft.title in listing.content.decode()
    open_url = reverse("workspace:check-open", args=[draft.pk])
    token = client.get(open_url).context["form"]["token"].value()
    closes_on = timezone.localdate() + timedelta(days=10)

    opened = client.post(open_url, {"token": token, "closes_on": closes_on.strftime("%d/%m/%Y")})

    check = FactualAccuracyCheck.objects.get(inspection=draft)
    assert opened.status_code == 302 and check.closes_on == closes_on

    client.force_login(met_lead)
    portal_url = reverse("portal:check", args=[check.pk])
    afi = draft.findings.get()
    page = client.get(portal_url)
    assert DRAFT_WORDS in page.content.decode()
    sent = client.post(
        portal_url,
        {
            "token": page.context["token"],
            "about": afi.pk,
            f"f{afi.pk}-organisation": met_lead.memberships.get().organisation_id,
            f"f{afi.pk}-text": COMMENT_WORDS,
        },
    )
    again = client.post(
        portal_url,
        {
            "token": page.context["token"],
            "about": afi.pk,
            f"f{afi.pk}-organisation": met_lead.memberships.get().organisation_id,
            f"f{afi.pk}-text": COMMENT_WORDS,
        },
    )
    comment = FactualAccuracyComment.objects.get()
    assert sent.status_code == 302 and comment.finding == afi and comment.author == met_lead
    assert again.status_code == 409 and "already been sent" in again.content.decode()

    client.force_login(inspector)
    check_url = reverse("workspace:check", args=[check.pk])
    page = client.get(check_url)
    assert COMMENT_WORDS in page.content.decode()
    refused = client.post(
        check_url,
        {
            "token": page.context["token"],
            "comment": comment.pk,
            f"c{comment.pk}-response": FactualAccuracyResponse.NOT_ACCEPTED,
            f"c{comment.pk}-reply": "",
        },
    )
    assert refused.status_code == 200
    assert "Say why the comment is not accepted" in refused.content.decode()
    answered = client.post(
        check_url,
        {
            "token": refused.context["token"],
            "comment": comment.pk,
            f"c{comment.pk}-response": FactualAccuracyResponse.NOT_ACCEPTED,
            f"c{comment.pk}-reply": "The custody records show 64.",
        },
    )
    comment.refresh_from_db()
    assert answered.status_code == 302
    assert comment.response == FactualAccuracyResponse.NOT_ACCEPTED
    assert comment.replied_by == inspector

    page = client.get(check_url)
    closed = client.post(
        reverse("workspace:check-close", args=[check.pk]), {"token": page.context["token"]}
    )
    check.refresh_from_db()
    assert closed.status_code == 302 and check.is_closed

    client.force_login(met_lead)
    after = client.get(portal_url).content.decode()
    assert "The custody records show 64." in after and "Not accepted" in after
    assert "Send the comment" not in after
    late = client.post(portal_url, {"about": "report", "report-text": "Late words"})
    assert late.status_code == 409
    assert "Late words" in late.content.decode()  # Shown back, not lost.
    assert FactualAccuracyComment.objects.count() == 1
    assert set(
        ActionLog.objects.filter(action__startswith="recommendations.factual_accuracy").values_list(
            "action", flat=True
        )
    ) == {
        "recommendations.factual_accuracy_check.opened",
        "recommendations.factual_accuracy_comment.added",
        "recommendations.factual_accuracy_comment.answered",
        "recommendations.factual_accuracy_check.closed",
    }


def test_an_empty_comment_keeps_the_page_and_says_why(client, check, met_lead):
    client.force_login(met_lead)
    url = reverse("portal:check", args=[check.pk])
    page = client.get(url)

    response = client.post(
        url, {"token": page.context["token"], "about": "report", "report-text": " "}
    )

    assert response.status_code == 200
    assert "Enter your comment" in response.content.decode()
    assert not FactualAccuracyComment.objects.exists()


def test_a_lead_of_two_inspected_bodies_chooses_which_speaks(client, check, mopac, met_lead):
    check.inspection.organisations.add(mopac)
    Membership.objects.create(user=met_lead, organisation=mopac, is_lead=True)
    client.force_login(met_lead)
    url = reverse("portal:check", args=[check.pk])
    page = client.get(url)

    client.post(
        url,
        {
            "token": page.context["token"],
            "about": "report",
            "report-organisation": mopac.pk,
            "report-text": "MOPAC's name is wrong on page 3.",
        },
    )

    assert FactualAccuracyComment.objects.get().organisation == mopac


def _grow(check, met, met_lead, count):
    """``count`` more areas for improvement on the draft, each with a comment."""
    from recommendations.choices import FindingKind
    from recommendations.models import Finding, Item

    start = check.inspection.findings.count()
    findings = Finding.objects.bulk_create(
        Finding(
            inspection=check.inspection,
            kind=FindingKind.AREA_FOR_IMPROVEMENT,
            reference=f"AFI{start + i}",
            text=f"Area for improvement {start + i}.",
            position=start + i,
        )
        for i in range(1, count + 1)
    )
    Item.objects.bulk_create(Item(finding=f, organisation=met) for f in findings)
    FactualAccuracyComment.objects.bulk_create(
        FactualAccuracyComment(
            accuracy_check=check, finding=f, organisation=met, author=met_lead, text="Check this."
        )
        for f in findings
    )


@pytest.mark.parametrize("side", ["workspace", "portal"])
def test_the_check_pages_queries_do_not_grow_with_findings(
    client, check, met, met_lead, inspector, side
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(inspector if side == "workspace" else met_lead)
    url = reverse(f"{side}:check", args=[check.pk])
    counts = []
    for count in (10, 290):
        _grow(check, met, met_lead, count)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count("Check this.") == check.comments.count()
        counts.append(len(captured))
    # Workspace: 1 session, 2 user, 3 the check with its report, 4-5 the one-time token (old
    # ones cleared, the new one), 6 comments with their organisations and people, 7 causes,
    # 8 findings, 9 their addressees with organisations, 10 the person's memberships (read
    # once: the navigation and the rules share them). The portal also reads the report's
    # organisations the person leads, for whom they may comment (11).
    assert counts[0] == counts[1]
    assert counts[0] == (10 if side == "workspace" else 11)
