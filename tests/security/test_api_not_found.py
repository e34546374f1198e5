"""An address no route matches is answered in the API's own way under /api/v1/, and with the
GOV.UK 404 page everywhere else."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here/", "/api/v1/items/%19%C2%90%0A/updates/", "/api/v1/items/x/"]
)
def test_an_unknown_api_address_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "There is nothing at this address in the API."}


@pytest.mark.django_db
def test_an_unknown_page_is_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()
