"""Every page a reader may follow offers "Get emails about this", and the link works."""

from urllib.parse import unquote

import pytest

from tests.conftest import EMBARGOED


@pytest.mark.parametrize(
    "page,link",
    [
        (
            "/organisations/metropolitan-police-service/",
            "/alerts/?organisation=metropolitan-police-service",
        ),
        ("/inspections/met-custody-2025/", "/alerts/?inspection=met-custody-2025"),
        ("/recommendations/?q=force&kind=recommendation", "/alerts/?search=q%3Dforce%26kind%3D"),
    ],
)
def test_a_page_links_to_emails_about_it(client, public_world, page, link):
    response = client.get(page)

    assert response.status_code == 200
    assert link in response.text
    href = response.text.split(f'href="{link}', 1)[1].split('"', 1)[0]
    followed = client.get(link + href.replace("&amp;", "&"))
    assert followed.status_code == 200
    assert "Get emails about this" in followed.text
    assert EMBARGOED not in followed.text


def test_the_search_link_carries_the_whole_search(client, public_world):
    response = client.get("/recommendations/?q=force&status=open&status=in_progress")

    href = response.text.split('href="/alerts/?search=', 1)[1].split('"', 1)[0]
    assert unquote(href) == "q=force&status=open&status=in_progress"
