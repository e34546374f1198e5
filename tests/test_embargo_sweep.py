"""The embargo sweep: nothing of an embargoed report shows anywhere, to anyone not allowed it.

One world holds published reports and two embargoed ones. The second embargoed report has its
own programme, theme and words (``TOKEN`` in its title, summary, key figure, judgement, cause of
concern, findings, status change note, updates, due-date proposal, section 55 draft and
evidence), items, a due-date proposal, a section 55 response and an Engage period linked to it.
Then every URL pattern of the root URLconf is requested with GET, its converters filled with the
ids and slugs of real published and embargoed objects, list pages also searched for the token
and filtered by the secret slugs, as each persona who may not see the report:

- an anonymous reader,
- organisation users of the addressees (the force and its policing body, both leads),
- an organisation user of another body,
- an inspector (staff, with the inspectors' permissions) of another inspectorate (CQC).

A third draft, of a body none of them leads, is shared for a factual-accuracy check with a
comment and an answer carrying the token: its pages (``/portal/checks/``, ``/workspace/checks/``)
are swept as well.

No response body or header may carry the token, the programme's or the theme's name or slug or
the report's slug, except where the request itself carried it: such a response is compared with
the response to the same request carrying an unknown stand-in instead, and may hold the secret
no more often than that one holds its stand-in (an echoed search box, a "not found" message).
Inspectors of the lead and partner inspectorates and administrators may see the report in the
workspace and the admin; they are not swept.
"""

import re
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Membership, User
from api.services import token_create
from inspections.choices import Grade, GradingScale, ProgrammeKind
from inspections.models import (
    EngagePeriod,
    Inspection,
    Inspectorate,
    Judgement,
    KeyFigure,
    Organisation,
    Programme,
)
from inspections.services import engage_enter
from recommendations.choices import FindingKind, Section55Action
from recommendations.models import (
    CauseOfConcern,
    DueDateProposal,
    EvidenceFile,
    FactualAccuracyCheck,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    StatusChange,
    Theme,
)
from recommendations.services import (
    due_date_propose,
    factual_accuracy_check_open,
    factual_accuracy_comment_add,
    factual_accuracy_comment_answer,
    finding_add_addressees,
    inspection_set_publication,
    item_start,
    progress_update_add,
)
from tests.api.conftest import api_world  # noqa: F401 - the published world, used as a fixture
from tests.conftest import EMBARGOED

TOKEN = "QUIETWORDZX"
PROGRAMME_NAME = "Hushed programme"
PROGRAMME_SLUG = "hushed-programme"
THEME_NAME = "Hushed theme"
THEME_SLUG = "hushed-theme"
REPORT_SLUG = "northfield-hush-2026"

# Each secret, and an unknown value of the same shape that stands in for it in a twin request.
SECRETS = {
    TOKEN: "NOSUCHWORDZ",
    PROGRAMME_NAME: "Unheard programme",
    PROGRAMME_SLUG: "unheard-programme",
    THEME_NAME: "Unheard theme",
    THEME_SLUG: "unheard-theme",
    REPORT_SLUG: "southfield-none-2026",
    # The embargoed report of tests/conftest.py's public world.
    EMBARGOED: "NOSUCHWORD-WORDS",
    "embargoed-report": "unheard-of-report",
}

# GET would change who is signed in or is refused anyway: not requested.
SKIPPED_NAMES = {"admin:logout", "accounts:sign-out"}

# Which model an id in a URL names, for the URLs outside the admin (the admin's say it).
MODEL_OF_URL = {
    "public:finding-detail": Finding,
    "api:finding-detail": Finding,
    "api:item-detail": Item,
    "api:item-update-list": Item,
    "api:item-status-change-list": Item,
    "api:item-submit-for-closure": Item,
    "api:section55-response-detail": Section55Response,
    "api:engage-period-detail": EngagePeriod,
    "portal:item": Item,
    "portal:add-update": Item,
    "portal:propose-due-date": Item,
    "portal:submit": Item,
    "portal:evidence": EvidenceFile,
    "portal:section55-edit": Section55Response,
    "workspace:item": Item,
    "workspace:decide": Item,
    "workspace:proposal": DueDateProposal,
    "workspace:engage-leave": EngagePeriod,
    "workspace:check-open": Inspection,
    "workspace:check": FactualAccuracyCheck,
    "workspace:check-close": FactualAccuracyCheck,
    "portal:check": FactualAccuracyCheck,
}


@pytest.fixture
def hushed(request, met, mopac, hmicfrs, settings, tmp_path):
    """The second embargoed report, with something of every kind, beside the API's world."""
    request.getfixturevalue("api_world")
    settings.MEDIA_ROOT = tmp_path
    programme = Programme.objects.create(
        slug=PROGRAMME_SLUG,
        name=PROGRAMME_NAME,
        kind=ProgrammeKind.THEMATIC,
        section55_applies=True,
    )
    theme = Theme.objects.create(slug=THEME_SLUG, name=THEME_NAME)
    report = Inspection.objects.create(
        title=f"Northfield {TOKEN} review",
        slug=REPORT_SLUG,
        programme=programme,
        lead_inspectorate=hmicfrs,
        summary=f"What we found about {TOKEN}.",
        report_url=f"https://example.org/{REPORT_SLUG}.pdf",
    )
    report.organisations.add(met)
    # Scheduled: the section 55 response of MOPAC is opened (awaited) already.
    report = inspection_set_publication(
        inspection=report, published_at=timezone.now() + timedelta(days=5)
    )
    KeyFigure.objects.create(inspection=report, label=f"{TOKEN} cases reviewed", value=12)
    Judgement.objects.create(
        inspection=report,
        question_area=f"{TOKEN} leadership",
        scale=GradingScale.PEEL_FIVE_POINT,
        grade=Grade.INADEQUATE,
    )
    cause = CauseOfConcern.objects.create(
        inspection=report, reference="CoC1", text=f"The {TOKEN} arrangements are unsafe."
    )
    rec = Finding.objects.create(
        inspection=report,
        kind=FindingKind.RECOMMENDATION,
        cause_of_concern=cause,
        reference="R1",
        text=f"The force and MOPAC should end {TOKEN} practices.",
        due_date=timezone.localdate() - timedelta(days=3),
        deadline_wording=f"before the {TOKEN} review",
    )
    rec.themes.add(theme)
    afi = Finding.objects.create(
        inspection=report,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text=f"Records of {TOKEN} are incomplete.",
        position=1,
    )
    afi.themes.add(theme)
    met_item, _mopac_item = finding_add_addressees(finding=rec, organisations=[met, mopac])
    finding_add_addressees(finding=afi, organisations=[met])
    item_start(item=met_item, note=f"Started on {TOKEN}")
    progress_update_add(
        item=met_item,
        narrative=f"Published update on {TOKEN}",
        self_assessment="on_track",
        publish=True,
        evidence=[SimpleUploadedFile(f"{TOKEN}-plan.csv", f"{TOKEN},1\n".encode(), "text/csv")],
    )
    progress_update_add(
        item=met_item, narrative=f"Internal note on {TOKEN}", self_assessment="at_risk"
    )
    due_date_propose(
        item=met_item,
        user=None,
        proposed_due_date=timezone.localdate() + timedelta(days=60),
        reason=f"The {TOKEN} work needs longer",
    )
    response = Section55Response.objects.get(inspection=report, local_policing_body=mopac)
    Section55Response.objects.filter(pk=response.pk).update(text=f"MOPAC draft on {TOKEN}")
    response.statements.create(
        finding=rec, action=Section55Action.WILL_BE_TAKEN, text=f"We will end {TOKEN}."
    )
    engage_enter(
        organisation=met,
        entered_on=timezone.localdate() - timedelta(days=2),
        reasons="Governance concerns.",
        inspection=report,
    )
    _checked_draft(programme, hmicfrs)
    return report


def _checked_draft(programme, hmicfrs):
    """A draft shared for a factual-accuracy check with a body none of the personas leads,
    commented on and answered: its pages are for that body's leads and the inspectors only."""
    body = Organisation.objects.create(
        slug="southby-constabulary", name="Southby Constabulary", kind="police_force"
    )
    lead = User.objects.create_user(username="sweep-southby")
    Membership.objects.create(user=lead, organisation=body, is_lead=True)
    inspector = User.objects.create_user(username="sweep-hmicfrs", inspectorate=hmicfrs)
    draft = Inspection.objects.create(
        title=f"Southby {TOKEN} draft",
        slug="southby-draft-2026",
        programme=programme,
        lead_inspectorate=hmicfrs,
    )
    draft.organisations.add(body)
    finding = Finding.objects.create(
        inspection=draft,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI1",
        text=f"Southby should record {TOKEN} properly.",
    )
    check = factual_accuracy_check_open(
        inspection=draft, user=inspector, closes_on=timezone.localdate() + timedelta(days=10)
    )
    comment = factual_accuracy_comment_add(
        check=check, user=lead, organisation=body, finding=finding, text=f"Not {TOKEN} but X."
    )
    factual_accuracy_comment_answer(
        comment=comment, user=inspector, response="not_accepted", reply=f"{TOKEN} stands."
    )


@pytest.fixture
def personas(hushed, met, mopac, kent):
    """Everyone who must see nothing of the embargoed reports, each with a signed-in client."""

    def member(username, organisation):
        user = User.objects.create_user(username=username, email=f"{username}@example.org")
        Membership.objects.create(user=user, organisation=organisation, is_lead=True)
        return user

    inspectors = Group.objects.create(name="Sweep inspectors")
    inspectors.permissions.set(
        Permission.objects.filter(
            Q(content_type__app_label__in=["inspections", "recommendations"])
            | Q(content_type__app_label__in=["accounts", "audit"], codename__startswith="view_")
        )
    )
    cqc_inspector = User.objects.create_user(
        username="sweep-cqc",
        email="sweep-cqc@example.org",
        inspectorate=Inspectorate.objects.get(slug="cqc"),
        is_staff=True,
    )
    cqc_inspector.groups.add(inspectors)
    users = {
        "anonymous": None,
        "addressee force lead": member("sweep-met", met),
        "addressee policing body lead": member("sweep-mopac", mopac),
        "other body": member("sweep-kent", kent),
        "inspector of another inspectorate": cqc_inspector,
    }
    clients = {}
    for name, user in users.items():
        if user is None:
            clients[name] = Client()
            continue
        # Signed in for the pages, and with an API token for the API (which takes no session).
        _row, token = token_create(user=user, name="Sweep")
        client = Client(headers={"authorization": f"Bearer {token}"})
        client.force_login(user)
        clients[name] = client
    return clients


# The URLs ----------------------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """``(route, name)`` of every pattern of the root URLconf, routes joined as written."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield prefix + str(pattern.pattern), namespace + (pattern.name or "")


class Values:
    """Real ids and slugs to fill converters with: every embargoed object's, and a published one."""

    def __init__(self):
        self.by_model = defaultdict(list)
        scoped = [
            Inspection,
            CauseOfConcern,
            KeyFigure,
            Judgement,
            Finding,
            Item,
            StatusChange,
            ProgressUpdate,
            Section55Response,
            Programme,
            Theme,
        ]
        for model in scoped:
            published = model.objects.published()
            hidden = model.objects.exclude(pk__in=published.values("pk"))
            self.by_model[model] = [
                *hidden.values_list("pk", flat=True),
                *published.order_by("pk").values_list("pk", flat=True)[:1],
            ]
        public_items = Item.objects.published().values("pk")
        self.by_model[DueDateProposal] = list(DueDateProposal.objects.values_list("pk", flat=True))
        self.by_model[EvidenceFile] = list(EvidenceFile.objects.values_list("pk", flat=True))
        self.by_model[EngagePeriod] = list(EngagePeriod.objects.values_list("pk", flat=True))
        assert Item.objects.exclude(pk__in=public_items).exists()
        self.any_id = sorted({pk for pks in self.by_model.values() for pk in pks})
        self.slugs = [
            *Organisation.objects.values_list("slug", flat=True),
            *Inspection.objects.values_list("slug", flat=True),
            PROGRAMME_SLUG,
            THEME_SLUG,
        ]

    def ids_of(self, model):
        if model not in self.by_model:
            self.by_model[model] = list(model.objects.order_by("pk").values_list("pk", flat=True))
        return self.by_model[model]


PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/")


def regex_routes(route):
    """A regex route made concrete: each choice of a named group of alternatives, ``.*`` as a
    path that names nothing."""
    route = route.replace("^", "").replace("$", "")
    match = re.search(r"\(\?P<\w+>([\w|]+)\)", route)
    if match:
        return [
            concrete
            for choice in match.group(1).split("|")
            for concrete in regex_routes(route[: match.start()] + choice + route[match.end() :])
        ]
    return [re.sub(r"\(\?P<\w+>\.\*\)|\.\*", "nothing", route)]


# Each persona's sweep (thousands of requests, minutes) is split into this many tests, so that
# the parallel test workers share them out evenly: a shard takes every SHARDS-th URL pattern
# (with all its URLs), and the first the admin's autocomplete answers.
SHARDS = 3


def concrete_urls(values, shard=None):
    """Every URL to request, with the query strings of the list pages; those of one shard."""
    urls = []
    for index, (route, name) in enumerate(url_patterns()):
        if name in SKIPPED_NAMES or (shard is not None and index % SHARDS != shard):
            continue
        regex = "(?P<" in route or "^" in route
        for concrete in regex_routes(route) if regex else [route]:
            urls.extend(fill(concrete, name, values))
    if shard in (None, 0):
        urls.extend(autocomplete_urls())
    return urls


def fill(route, name, values):
    parameters = PARAMETER.findall(route)
    if not parameters:
        base = "/" + route
        queries = [{}, {"q": TOKEN}]
        if not base.startswith("/admin/"):
            queries += [
                {"programme": PROGRAMME_SLUG},
                {"theme": THEME_SLUG},
                {"inspection": REPORT_SLUG},
            ]
        return [base + (f"?{urlencode(query)}" if query else "") for query in queries]
    if name == "admin:view_on_site":
        return [
            f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{pk}/"
            for model in (Inspection, Finding)
            for pk in values.ids_of(model)
        ]
    admin_model = ADMIN_MODEL_ROUTE.match(route)
    if admin_model:
        model = apps.get_model(admin_model["app"], admin_model["model"])
        choices = {"object_id": values.ids_of(model)}
    else:
        model = MODEL_OF_URL.get(name)
        choices = {}
    for converter, parameter in parameters:
        if parameter in choices:
            continue
        if converter == "slug":
            choices[parameter] = values.slugs
        elif converter == "str" and parameter == "fmt":
            choices[parameter] = ["csv", "json", "xlsx"]
        elif converter == "int" or parameter == "id":
            choices[parameter] = values.ids_of(model) if model else values.any_id
        else:
            choices[parameter] = ["nothing"]
    urls = [route]
    for converter, parameter in parameters:
        placeholder = f"<{converter}:{parameter}>" if converter else f"<{parameter}>"
        urls = [
            url.replace(placeholder, str(value)) for url in urls for value in choices[parameter]
        ]
    return ["/" + url for url in urls]


def autocomplete_urls():
    """The admin's autocomplete answers for every field that has one, searched for the token."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin.autocomplete_fields)]
        sources += [
            (inline.model, inline.autocomplete_fields)
            for inline in model_admin.inlines
            if inline.model in admin.site._registry
        ]
        for source, fields in sources:
            for field in fields:
                for term in ("", TOKEN):
                    query = {
                        "app_label": source._meta.app_label,
                        "model_name": source._meta.model_name,
                        "field_name": field,
                        "term": term,
                    }
                    urls.append(f"/admin/autocomplete/?{urlencode(query)}")
    return urls


# The requests ------------------------------------------------------------------------------


def text_of(response) -> str:
    """The whole answer as a reader gets it: status line, headers and body."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
    return f"{response.status_code}\n{headers}\n{body.decode('utf-8', 'replace')}".lower()


def traces(client, url):
    """What the answer to ``url`` gives away: each secret it holds more often than the answer to
    the same request with unknown stand-ins holds those."""
    text = text_of(client.get(url))
    carried = [secret for secret in SECRETS if secret in url]
    twin = url
    for secret in carried:
        twin = twin.replace(secret, SECRETS[secret])
    twin_text = text_of(client.get(twin)) if carried else ""
    found = []
    for secret, stand_in in SECRETS.items():
        allowed = twin_text.count(stand_in.lower()) if secret in carried else 0
        if text.count(secret.lower()) > allowed:
            found.append(secret)
    return found


PERSONAS = [
    "anonymous",
    "addressee force lead",
    "addressee policing body lead",
    "other body",
    "inspector of another inspectorate",
]


def sweep(client, urls):
    return [f"{url}: {', '.join(found)}" for url in urls if (found := traces(client, url))]


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_trace_of_an_embargoed_report_anywhere(personas, persona, shard, settings):
    settings.API_ANON_RATE = settings.API_TOKEN_RATE = "100000/minute"
    urls = concrete_urls(Values(), shard)
    if persona == "inspector of another inspectorate":
        # The admin, where this inspector is staff, is swept by the test that follows.
        urls = [url for url in urls if not url.startswith("/admin/")]

    leaks = sweep(personas[persona], urls)

    assert len(urls) > 200 / SHARDS
    assert not leaks, f"{persona} sees the embargoed reports at:\n" + "\n".join(leaks)


@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_trace_in_the_admin_for_an_inspector_of_another_inspectorate(personas, shard):
    urls = [url for url in concrete_urls(Values(), shard) if url.startswith("/admin/")]

    leaks = sweep(personas["inspector of another inspectorate"], urls)

    assert len(urls) > 100 / SHARDS
    assert not leaks, "The CQC inspector sees the embargoed reports in the admin at:\n" + (
        "\n".join(leaks)
    )


def test_the_shards_share_out_every_url_once(personas):
    values = Values()
    every = concrete_urls(values)
    shards = [concrete_urls(values, shard) for shard in range(SHARDS)]

    assert sorted(url for urls in shards for url in urls) == sorted(every)
    assert all(len(urls) > len(every) / SHARDS / 3 for urls in shards)  # none nearly empty


def test_the_sweep_would_see_a_leak(personas, inspector):
    """The check itself: the lead inspectorate's inspector sees the report in the workspace,
    and the report's own page, once published, shows every secret."""
    hushed = Inspection.objects.get(slug=REPORT_SLUG)
    item = Item.objects.filter(finding__inspection=hushed).first()
    lead_inspector = Client()
    lead_inspector.force_login(inspector)
    assert TOKEN in traces(lead_inspector, f"/workspace/items/{item.pk}/")

    Inspection.objects.filter(pk=hushed.pk).update(published_at=timezone.now())
    client = personas["anonymous"]

    assert set(traces(client, f"/inspections/{REPORT_SLUG}/")) >= {TOKEN, PROGRAMME_NAME}
    assert THEME_SLUG in traces(client, "/api/v1/themes/")
    assert TOKEN in traces(client, f"/recommendations/?q={TOKEN}")


def test_the_sweep_reaches_the_factual_accuracy_check_pages(personas):
    """The check's pages are among the URLs swept, and would show the token to its readers."""
    urls = concrete_urls(Values())
    check = FactualAccuracyCheck.objects.get(inspection__slug="southby-draft-2026")
    lead = Client()
    lead.force_login(User.objects.get(username="sweep-southby"))

    assert f"/portal/checks/{check.pk}/" in urls
    assert f"/workspace/checks/{check.pk}/" in urls
    assert f"/workspace/checks/new/{check.inspection_id}/" in urls
    assert traces(lead, f"/portal/checks/{check.pk}/") == [TOKEN]
