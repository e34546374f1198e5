"""The accessibility statement, privacy notice, cookies and feedback pages, linked from every
page's footer; the header landmark with the phase banner's feedback link; meta descriptions."""

import re

import pytest
from django.conf import settings

FOOTER_LINKS = {
    "/accessibility/": "Accessibility statement",
    "/privacy/": "Privacy",
    "/cookies/": "Cookies",
    "/feedback/": "Feedback",
}

PUBLIC_PAGES = [
    "/",
    "/recommendations/",
    "/recommendations/?q=force",
    "/about/",
    "/organisations/metropolitan-police-service/",
    "/inspections/met-custody-2025/",
    "/accessibility/",
    "/privacy/",
    "/cookies/",
    "/feedback/",
    "/alerts/?organisation=metropolitan-police-service",
    "/alerts/check-your-email/",
    "/account/sign-in/",
]


def footer(html: str) -> str:
    return html.split('<footer class="govuk-template__footer">', 1)[1]


def header(html: str) -> str:
    return html.split('<header class="govuk-template__header">', 1)[1].split("</header>", 1)[0]


def assert_page_furniture(html: str) -> None:
    links = footer(html)
    for href, label in FOOTER_LINKS.items():
        assert f'href="{href}">{label}</a>' in links
    top = header(html)
    assert 'class="govuk-service-navigation"' in top
    assert 'class="govuk-phase-banner"' in top
    assert 'href="/feedback/">feedback</a>' in top
    description = re.search(r'<meta name="description" content="([^"]+)">', html)
    assert description and len(description.group(1)) > 40


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_links_the_statutory_pages(client, public_world, url):
    response = client.get(url)

    assert response.status_code == 200, url
    assert_page_furniture(response.text)


@pytest.mark.parametrize("url", ["/portal/", "/account/", "/account/notifications/"])
def test_signed_in_pages_link_them_too(client, public_world, met_user, url):
    client.force_login(met_user)

    response = client.get(url, follow=True)

    assert response.status_code == 200, url
    assert_page_furniture(response.text)


def test_the_workspace_links_them_too(client, public_world, inspector):
    client.force_login(inspector)

    assert_page_furniture(client.get("/workspace/").text)


def test_the_error_pages_link_them_too(client, db):
    assert_page_furniture(client.get("/organisations/no-such-body/").text)


def test_the_accessibility_statement_has_the_regulations_sections(client, db):
    html = client.get("/accessibility/").text

    for heading in (
        "How accessible this website is",
        "Feedback and contact information",
        "Reporting accessibility problems with this website",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in html
    assert "Equality and Human Rights Commission" in html
    assert "partially compliant" in html
    assert "This statement was prepared on" in html


def test_the_privacy_notice_says_what_is_kept_and_for_how_long(client, db):
    html = client.get("/privacy/").text

    assert "If you get email alerts" in html
    assert "If you have an account" in html
    assert f"within {settings.ALERTS_UNCONFIRMED_DAYS} days, we delete your address" in html
    assert "Information Commissioner" in html


def test_the_cookies_page_names_the_two_cookies_and_no_analytics(client, db):
    html = client.get("/cookies/").text

    assert f"<code>{settings.SESSION_COOKIE_NAME}</code>" in html
    assert f"<code>{settings.CSRF_COOKIE_NAME}</code>" in html
    assert "We do not use analytics" in html


def test_reading_the_public_pages_sets_no_cookie(client, public_world):
    for url in ("/", "/recommendations/", "/inspections/met-custody-2025/", "/cookies/"):
        assert not client.get(url).cookies, url


def test_a_message_travels_in_the_session_not_a_cookie_of_its_own(client, met_user):
    client.force_login(met_user)

    response = client.post("/account/notifications/", {"kinds": ["overdue"]})

    assert "messages" not in response.cookies
    assert "Your email reminder choices have been saved" in client.get(response["Location"]).text
