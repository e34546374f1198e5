"""No query parameter or form field gives a 500: control characters get a 400 page before any
view reads them (core/security.py), and every page copes with other odd values.

The sweep requests every URL pattern of the URLconf, filled in with objects of the public world
where it names one, as each persona.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from tests.accounts.conftest import text

CONTROL = ["q=a%00b", "%01=1", "term=%1F"]
# Odd values, several to a request to keep the sweep short; each line on its own would be better
# at saying which failed, at eight times the cost.
ODD = [
    "q=%F0%9F%92%A9%27%22%3Cscript%3E&status=nonsense&sort=nonsense&o=nonsense"
    "&version=1%0D%0ASet-Cookie:%20x=1&format=xml",
    "page=99999999999999999999999&organisation=99999999999999999999999&inspection=%27"
    "&id=1e999&theme=-1&due_before=2026-13-45&cursor=%27",
    "page=-1&q=%09tab%0D%0Aline&programme=%E2%80%AE",
]


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            yield prefix + str(entry.pattern), entry.name


def _paths(world) -> list[str]:
    """Every route of the URLconf as a path, its converters filled in from the world."""
    item = world["recommendation"].items.get(organisation__slug="metropolitan-police-service")
    by_name = {
        "slug": lambda route: (
            world["inspection"].slug if "inspection" in route else "metropolitan-police-service"
        ),
        "pk": lambda route: (
            world["recommendation"].pk if route.startswith("recommendations/") else item.pk
        ),
        "id": lambda route: world["recommendation"].pk if "findings" in route else item.pk,
        "item_pk": lambda route: item.pk,
        "finding_pk": lambda route: world["recommendation"].pk,
        "cause_pk": lambda route: "1",
        "job_id": lambda route: "1",
        "object_id": lambda route: "1",
        "content_type_id": lambda route: "1",
        "fmt": lambda route: "csv",
        "uidb64": lambda route: "MQ",
        "token": lambda route: "set-password",
    }
    paths = set()
    for route, _ in _routes(get_resolver().url_patterns):
        path = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda match, route=route: str(by_name[match[1]](route)), route
        )
        paths.add("/" + path)
    return sorted(paths)


def _nul_paths() -> list[str]:
    """Every route with a NUL (and a line break) in each of its parameters."""
    paths = set()
    for route, _ in _routes(get_resolver().url_patterns):
        if "<" in route:
            paths.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", "a%00b%0Ac", route))
    return sorted(paths)


def _sweep(client, world, queries) -> list[str]:
    failures = []
    for path in _paths(world):
        for query in queries:
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {path}?{query}")
    return failures


@pytest.fixture(params=["anonymous", "inspector", "met_user", "admin_user"])
def persona_client(request, client, public_world):
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return client


def test_every_url_answers_400_to_control_characters_in_a_parameter(persona_client, public_world):
    answers = {}
    for path in _paths(public_world):
        for query in CONTROL:
            response = persona_client.get(f"{path}?{query}")
            answers.setdefault(response.status_code, []).append(f"{path}?{query}")

    assert set(answers) == {400}, {code: urls[:5] for code, urls in answers.items()}


def test_no_url_gives_a_500_for_odd_parameters(persona_client, public_world):
    assert _sweep(persona_client, public_world, ODD) == []


@pytest.mark.parametrize("persona", ["anonymous", "admin_user"])
def test_no_url_gives_a_500_for_control_characters_in_the_path(client, request, persona, db):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))

    failures = [path for path in _nul_paths() if client.get(path).status_code >= 500]

    assert failures == []


def test_the_400_page_says_what_is_wrong_in_plain_english(client, db):
    response = client.get("/recommendations/?q=%00")

    assert response.status_code == 400
    assert "There is a problem with the address or the form" in text(response)
    assert "contains a control character (such as a NUL byte)" in text(response)
    assert 'class="govuk-heading-l"' in response.content.decode()


def test_the_api_answers_400_in_json(client, db):
    response = client.get("/api/v1/findings/?q=%00")

    assert response.status_code == 400
    assert "control character" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/recommendations/?q=%00",
        "/portal/?q=%00",
        "/workspace/?q=%00",
        "/admin/recommendations/item/?q=%00",
        "/admin/recommendations/finding/?inspection__id__exact=%00",
        "/admin/autocomplete/?term=%00&app_label=recommendations&model_name=finding"
        "&field_name=cause_of_concern",
    ],
)
def test_the_filters_of_the_issue_answer_400(client, admin_user, public_world, url):
    client.force_login(admin_user)

    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    ("url", "persona"),
    [
        ("/account/sign-in/", None),
        ("/account/password-reset/", None),
        ("/admin/login/", None),
        ("/portal/items/{item}/update/", "met_user"),
        ("/workspace/items/{item}/decide/", "inspector"),
    ],
)
@pytest.mark.parametrize(
    "data",
    [
        {"username": "met\x00", "password": "x"},
        {"email": "a@example.gov.uk", "narrative": "a\x07b", "note": "a\x00b"},
        {"user\x00name": "met", "password": "x"},
    ],
)
def test_forms_with_control_characters_answer_400(
    client, request, public_world, url, persona, data
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    item = public_world["recommendation"].items.get(
        organisation__slug="metropolitan-police-service"
    )

    response = client.post(url.format(item=item.pk), data)

    assert response.status_code == 400
    assert "control character" in text(response)


def test_the_csrf_check_reading_the_form_finds_control_characters(met_user):
    """A view that never reads its form leaves it to the CSRF check, which reads every POST."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(met_user)
    client.get("/account/sign-in/")  # sets the CSRF cookie

    response = client.post("/portal/", {"q": "a\x00b"})

    assert response.status_code == 400


def test_multipart_forms_with_control_characters_answer_400(client, met_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/account/sign-in/",
        {"username": "met\x00", "password": "x", "file": SimpleUploadedFile("a.txt", b"x")},
    )

    assert response.status_code == 400


def test_tab_and_line_breaks_are_allowed(client, met_user):
    response = client.post("/account/sign-in/", {"username": "met\t", "password": "a\r\nb"})
    assert response.status_code == 200
    assert client.get("/recommendations/?q=use%09of%0D%0Aforce").status_code == 200


def test_a_malformed_multipart_body_is_a_400(client, db):
    response = client.post(
        "/account/sign-in/",
        data=b"--broken\r\nContent-Disposition: form-data; name=\r\n",
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400


def test_the_schema_does_not_copy_its_version_parameter_into_a_header(client, db):
    response = client.get("/api/schema/?version=1%0D%0ASet-Cookie:%20x=1")
    plain = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == plain["Content-Disposition"]
    assert "Set-Cookie" not in response["Content-Disposition"]
    assert "x" not in response.cookies


@pytest.mark.parametrize(
    "url",
    [
        "/admin/inspections/engageperiod/add/?organisation=%27&inspection=x",
        "/admin/recommendations/finding/add/?inspection=x&themes=1,x",
    ],
)
def test_an_admin_add_form_prefilled_with_a_value_that_is_no_id_opens(client, admin_user, url):
    client.force_login(admin_user)

    response = client.get(url)

    assert response.status_code == 200


def test_an_admin_add_form_is_still_prefilled_from_its_address(client, admin_user, inspection):
    client.force_login(admin_user)

    response = client.get(f"/admin/recommendations/finding/add/?inspection={inspection.pk}")

    assert response.context["adminform"].form.initial["inspection"] == str(inspection.pk)


def test_a_cookie_with_a_nul_is_ignored(client, met_user):
    # Django unquotes octal escapes in a quoted cookie value: "\000" becomes a NUL.
    forged = 'sessionid="abcdefgh\\000ijkl"; csrftoken="abcdefgh\\000ijkl"'

    page = client.get("/about/", HTTP_COOKIE=forged)
    sign_in = client.post(
        "/account/sign-in/", {"username": "met", "password": "pw-met-1"}, HTTP_COOKIE=forged
    )

    assert page.status_code == 200
    assert sign_in.status_code == 302
