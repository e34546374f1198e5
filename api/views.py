"""The open data API, /api/v1/: published data only, exactly as on the public pages, and two
writes for organisations (a progress update, a submission for closure) with a token.

Every view fetches its rows through a scoped queryset: ``published()`` for reads,
``addressed_to_members_of(user)`` for writes. Lists are paged by cursor in order of id, with
each row's related data fetched in a fixed number of queries whatever the page size.
"""

import hashlib
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.http import parse_http_date
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from api import filters, serializers
from api.conditional import conditional
from api.permissions import IsOrganisationUser, writable_items
from api.schema import ITEM_FILTER_PARAMETERS, path_id, path_slug
from core.errors import DomainError
from inspections.models import EngagePeriod, Inspection, Inspectorate, Organisation, Programme
from public.counts_cache import GENERATION_KEY
from public.page_cache import (
    VERSION_KEY,
    cached_entry,
    current_version,
    read,
    served,
    store,
    stored,
)
from recommendations.choices import Channel
from recommendations.evidence import EvidenceField
from recommendations.filters import published_items
from recommendations.models import (
    DueDateChange,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Section55Statement,
    StatusChange,
    Theme,
)
from recommendations.services import (
    StaleEditError,
    TransitionError,
    item_submit_with_evidence,
    progress_update_add,
)

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


# Errors ------------------------------------------------------------------------------------


class RateLimited(exceptions.Throttled):
    def __init__(self, wait, *, rate, with_token):
        seconds = max(1, math.ceil(wait or 1))
        number, _, period = rate.partition("/")  # as checked by the settings: "120/minute"
        who = "each token's owner" if with_token else "each client without a token"
        detail = (
            f"Too many requests: {who} may make {number} requests per {period}. "
            f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
        )
        super().__init__(wait=seconds, detail=detail)


class Refused(exceptions.APIException):
    """A domain rule refused the write (a 400 with its message)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


def exception_handler(exc, context):
    """DRF's answers, with the waiting time of a 429 in the body as well as in Retry-After."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.Throttled):
        response.data = {"detail": str(exc.detail), "retry_after": int(exc.wait or 1)}
    return response


# The languages of the labels, by the ``lang`` parameter's values.
LABEL_LANGUAGES = {"en": "en-gb", "cy": "cy"}


class ApiView(APIView):
    """What every API view shares: the conditional answers and the clear refusals."""

    def throttled(self, request, wait):
        with_token = bool(request.user and request.user.is_authenticated)
        rate = settings.API_TOKEN_RATE if with_token else settings.API_ANON_RATE
        raise RateLimited(wait, rate=rate, with_token=with_token)

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(
                "Send your API token as “Authorization: Bearer <token>”. Organisation users "
                "and inspectors create tokens on their account page."
            )
        super().permission_denied(request, message=message, code=code)

    def initial(self, request, *args, **kwargs):
        # ``?lang=cy`` gives the labels (statuses, kinds, grades) in Welsh, ``?lang=en`` or
        # nothing in English; the data itself is the same (the Welsh fields are ``*_cy``).
        asked = request.query_params.get("lang", "")
        if asked and asked not in LABEL_LANGUAGES:
            raise exceptions.ValidationError({"lang": ["Use en (English) or cy (Welsh)."]})
        self._language = translation.override(LABEL_LANGUAGES.get(asked, "en-gb"))
        self._language.__enter__()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            response = super().finalize_response(request, response, *args, **kwargs)
            if getattr(self, "_from_cache", False):
                return response
            if request.method in ("GET", "HEAD") and response.status_code == status.HTTP_200_OK:
                response.render()
                response = conditional(request, response)
                self._store(request, response)
            return response
        finally:
            language = getattr(self, "_language", None)
            if language is not None:
                language.__exit__(None, None, None)
                self._language = None

    def _store(self, request, response):
        """Keep an anonymous JSON read for the next client (``CachedReads``)."""
        marked = getattr(self, "_cache_as", None)
        if (
            marked is None
            or request.method != "GET"
            or response.status_code != status.HTTP_200_OK
            or response.cookies
            or not response.get("Content-Type", "").startswith("application/json")
        ):
            return
        key, token = marked
        entry = stored(request, response, token=token, etag=response["ETag"])
        entry["since"] = parse_http_date(response["Last-Modified"])
        store(key, entry)


class CachedReads:
    """Anonymous reads served from the page cache (public/page_cache.py), under the version of
    the public data: *after* authentication and the rate limits, which count every request.

    The key holds the full address (the query, ``lang``, ``format``) and the media type chosen
    from ``Accept``: everything a response depends on. Token holders are never served from it
    nor stored, nor is anything but a 200 in JSON."""

    def get(self, request, *args, **kwargs):
        if (
            settings.PAGE_CACHE_SECONDS <= 0
            or request.method not in ("GET", "HEAD")
            or (request.user and request.user.is_authenticated)
        ):
            return super().get(request, *args, **kwargs)
        address = f"{request.build_absolute_uri()}|{request.accepted_media_type}"
        key = "api:at:" + hashlib.sha256(address.encode()).hexdigest()
        found, _entries = read([VERSION_KEY, GENERATION_KEY])
        version = current_version(found)
        entry = cached_entry(key, version)
        if entry is not None:
            self._from_cache = True
            return served(request, entry, since=entry["since"])
        self._cache_as = (key, version.token)
        return super().get(request, *args, **kwargs)


class ListView(CachedReads, ApiView, generics.ListAPIView):
    permission_classes = [AllowAny]


class DetailView(CachedReads, ApiView, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    lookup_url_kwarg = "id"


# The index ---------------------------------------------------------------------------------


class ApiRoot(ApiView):
    """Where everything is: a link to each list, the schema and the documentation."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=serializers.ApiRootSerializer,
        tags=["Index"],
        summary="Every list of the API, the schema and the documentation",
    )
    def get(self, request):
        def link(name):
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "organisations": link("api:organisation-list"),
                "inspections": link("api:inspection-list"),
                "findings": link("api:finding-list"),
                "items": link("api:item-list"),
                "updates": link("api:update-list"),
                "status_changes": link("api:status-change-list"),
                "due_date_changes": link("api:due-date-change-list"),
                "section55_responses": link("api:section55-response-list"),
                "engage_periods": link("api:engage-period-list"),
                "programmes": link("api:programme-list"),
                "themes": link("api:theme-list"),
                "schema": link("api:schema"),
                "documentation": link("api:docs"),
                "licence": LICENCE,
                "licence_url": LICENCE_URL,
            }
        )


# Organisations -----------------------------------------------------------------------------


def organisations():
    # 1 organisations with their policing body and successor, 2 their predecessors
    return Organisation.objects.select_related("local_policing_body", "successor").prefetch_related(
        Prefetch("predecessors", queryset=Organisation.objects.order_by("name"))
    )


@extend_schema_view(
    get=extend_schema(
        tags=["Organisations"],
        summary="Every organisation",
        description=(
            "Police forces, fire and rescue services, local policing bodies and national "
            "bodies, including those that have since merged or been renamed (see successor)."
        ),
    )
)
class OrganisationList(ListView):
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilterSet

    def get_queryset(self):
        return organisations()


@extend_schema_view(
    get=extend_schema(
        tags=["Organisations"], summary="One organisation", parameters=[path_slug("organisation")]
    )
)
class OrganisationDetail(DetailView):
    serializer_class = serializers.OrganisationSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self):
        return organisations()


# Inspections -------------------------------------------------------------------------------


def published_inspections():
    # 1 inspections with programme, lead inspectorate and the report followed up; then one
    # query each for partners, organisations, key figures, judgements, causes of concern
    return (
        Inspection.objects.published()
        .select_related("programme", "lead_inspectorate", "follows_up")
        .prefetch_related(
            Prefetch("partner_inspectorates", queryset=Inspectorate.objects.order_by("name")),
            Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
            "figures",
            "judgements",
            "causes_of_concern",
        )
    )


@extend_schema_view(
    get=extend_schema(
        tags=["Inspections"],
        summary="Every published inspection",
        description=(
            "Each report with its programme, inspectorates, key figures, graded judgements "
            "(each on its own scale) and causes of concern. Nothing of a report appears before "
            "its publication time."
        ),
    )
)
class InspectionList(ListView):
    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilterSet

    def get_queryset(self):
        return published_inspections()


@extend_schema_view(
    get=extend_schema(
        tags=["Inspections"],
        summary="One published inspection",
        parameters=[path_slug("inspection")],
    )
)
class InspectionDetail(DetailView):
    serializer_class = serializers.InspectionSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self):
        return published_inspections()


# Findings and items ------------------------------------------------------------------------


def published_findings():
    # 1 findings with inspection and cause of concern, 2 their items with addressees, 3 themes
    items = Item.objects.select_related("organisation").order_by("organisation__name", "pk")
    return (
        Finding.objects.published()
        .select_related("inspection", "cause_of_concern")
        .prefetch_related(Prefetch("items", queryset=items), "themes")
    )


@extend_schema_view(
    get=extend_schema(
        tags=["Findings"],
        summary="Every published recommendation and area for improvement",
        description=(
            "Each finding with its addressees and their statuses. The filters are the items' "
            "(and the browse page's): a finding is listed when at least one of its items "
            "matches them."
        ),
        parameters=ITEM_FILTER_PARAMETERS,
    )
)
class FindingList(ListView):
    serializer_class = serializers.FindingSerializer
    filterset_class = filters.ItemFilterSet
    filter_backends = [filters.FindingsByItemFilterBackend]

    def get_queryset(self):
        return published_findings()


@extend_schema_view(
    get=extend_schema(
        tags=["Findings"],
        summary="One published recommendation or area for improvement",
        parameters=[path_id("finding")],
    )
)
class FindingDetail(DetailView):
    serializer_class = serializers.FindingSerializer

    def get_queryset(self):
        return published_findings()


def items():
    # 1 query: each item with its finding, report, addressee and any superseding finding
    return published_items().select_related("superseded_by__inspection")


@extend_schema_view(
    get=extend_schema(
        tags=["Items"],
        summary="Every published item: one finding for one addressee",
        description=(
            "A recommendation made to a force and its police and crime commissioner is two "
            "items, because each body's progress is tracked on its own. The filters are the "
            "browse page's (/recommendations/), so the same question gives the same items; "
            "the order is by id rather than the browse page's sort."
        ),
        parameters=ITEM_FILTER_PARAMETERS,
    )
)
class ItemList(ListView):
    serializer_class = serializers.ItemSerializer
    filterset_class = filters.ItemFilterSet
    filter_backends = [filters.ItemFilterBackend]

    def get_queryset(self):
        return items()


@extend_schema_view(
    get=extend_schema(tags=["Items"], summary="One published item", parameters=[path_id("item")])
)
class ItemDetail(DetailView):
    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        return items()


# The public timeline -----------------------------------------------------------------------


def published_updates():
    return ProgressUpdate.objects.published().select_related("organisation")


def published_changes():
    return StatusChange.objects.published().select_related("item__organisation")


def published_due_date_changes():
    return DueDateChange.objects.published().select_related(
        "item__organisation", "changed_by__inspectorate"
    )


class ItemTimelineMixin:
    """The lists under one item: 404 unless the item is published."""

    def item(self):
        if not hasattr(self, "_item"):
            self._item = get_object_or_404(Item.objects.published(), pk=self.kwargs["id"])
        return self._item


@extend_schema_view(
    get=extend_schema(
        tags=["Items"],
        summary="An item's published progress updates",
        description=(
            "What the organisation says of its progress: self-reported, never checked by the "
            "inspectorate. Updates kept internal never appear."
        ),
        parameters=[path_id("item")],
    )
)
class ItemUpdateList(ItemTimelineMixin, ListView):
    serializer_class = serializers.ProgressUpdateSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsOrganisationUser()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressUpdate.objects.none()
        return published_updates().filter(item=self.item())

    @extend_schema(
        tags=["Writing"],
        summary="Add a progress update to an item of your organisation",
        description=(
            "For organisation users, with a token. The first update of an open item moves it "
            "to in progress. Send JSON, or multipart/form-data to attach evidence files. Closed "
            "items take no updates (403)."
        ),
        parameters=[path_id("item")],
        request={
            "application/json": serializers.ProgressUpdateInputSerializer,
            "multipart/form-data": serializers.ProgressUpdateWithEvidenceSerializer,
        },
        responses={201: serializers.RecordedUpdateSerializer},
    )
    def post(self, request, id):
        item = get_object_or_404(writable_items(request.user), pk=id)
        if not item.is_active:
            raise exceptions.PermissionDenied(
                "This item is closed: it takes no more updates unless the inspectorate reopens it."
            )
        serializer = serializers.ProgressUpdateWithEvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence = _checked_evidence(data.get("evidence", []), required=False)
        try:
            update = progress_update_add(
                item=item,
                author=request.user,
                narrative=data["narrative"],
                self_assessment=data["self_assessment"],
                publish=data["publish"],
                evidence=evidence,
                channel=Channel.API,
                expected_version=data.get("expected_version"),
            )
        except StaleEditError as error:
            return _conflict(error)
        except DomainError as error:
            raise Refused(str(error)) from error
        item.refresh_from_db(fields=["status", "version"])
        update.item = item
        return Response(
            serializers.RecordedUpdateSerializer(update, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    get=extend_schema(
        tags=["Items"],
        summary="An item's status history",
        description=(
            "Every change of status, with when, why and who stands behind it: the organisation "
            "(self-reported) or the inspectorate (verified). Never a person's name."
        ),
        parameters=[path_id("item")],
    )
)
class ItemStatusChangeList(ItemTimelineMixin, ListView):
    serializer_class = serializers.StatusChangeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StatusChange.objects.none()
        return published_changes().filter(item=self.item())


@extend_schema_view(
    get=extend_schema(
        tags=["Items"],
        summary="An item's due date changes",
        description=(
            "Every change of the item's due date: the old and new dates, how it came about "
            "(agreed at the organisation's request, changed by the inspectorate, a new import), "
            "who agreed it (an inspectorate, never a person), why, and whether the item was "
            "overdue then."
        ),
        parameters=[path_id("item")],
    )
)
class ItemDueDateChangeList(ItemTimelineMixin, ListView):
    serializer_class = serializers.DueDateChangeSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DueDateChange.objects.none()
        return published_due_date_changes().filter(item=self.item())


@extend_schema_view(
    get=extend_schema(
        tags=["Timeline"],
        summary="Every due date change of a published item",
        description="Across the site, oldest first; `since` fetches only what is new.",
    )
)
class DueDateChangeList(ListView):
    serializer_class = serializers.DueDateChangeSerializer
    filterset_class = filters.DueDateChangeFilterSet

    def get_queryset(self):
        return published_due_date_changes()


@extend_schema_view(
    get=extend_schema(
        tags=["Timeline"],
        summary="Every published progress update",
        description="Across the site, oldest first; `since` fetches only what is new.",
    )
)
class UpdateList(ListView):
    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilterSet

    def get_queryset(self):
        return published_updates()


@extend_schema_view(
    get=extend_schema(
        tags=["Timeline"],
        summary="Every status change of a published item",
        description="Across the site, oldest first; `since` fetches only what is new.",
    )
)
class StatusChangeList(ListView):
    serializer_class = serializers.StatusChangeSerializer
    filterset_class = filters.StatusChangeFilterSet

    def get_queryset(self):
        return published_changes()


# Writing -----------------------------------------------------------------------------------


def _checked_evidence(files, *, required):
    """The portal's evidence rules: allowed types by content, size, at most ten at once."""
    field = EvidenceField(
        required=required, error_messages={"required": "Attach at least one evidence file."}
    )
    try:
        return field.clean(files)
    except ValidationError as error:
        raise exceptions.ValidationError({"evidence": error.messages}) from error


def _conflict(error: StaleEditError):
    return Response(
        {"detail": str(error), "current_version": error.item.version},
        status=status.HTTP_409_CONFLICT,
    )


class SubmitForClosure(ApiView):
    permission_classes = [IsOrganisationUser]
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        tags=["Writing"],
        summary="Submit an item of your organisation for closure, with evidence",
        description=(
            "For organisation leads, with a token: the organisation says the item is done. "
            "The note goes on the public timeline, the evidence files only to the inspectorate, "
            "which then accepts (closed as complete) or returns the item."
        ),
        parameters=[path_id("item")],
        request={"multipart/form-data": serializers.SubmitForClosureInputSerializer},
        responses={200: serializers.ItemSerializer},
    )
    def post(self, request, id):
        item = get_object_or_404(writable_items(request.user), pk=id)
        if not writable_items(request.user, lead=True).filter(pk=item.pk).exists():
            raise exceptions.PermissionDenied(
                "Only a lead of the organisation can submit its items for closure."
            )
        if not item.is_submittable:
            raise exceptions.PermissionDenied(
                f"An item that is “{item.get_status_display().lower()}” cannot be submitted "
                "for closure."
            )
        serializer = serializers.SubmitForClosureInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence = _checked_evidence(data["evidence"], required=True)
        try:
            item_submit_with_evidence(
                item=item,
                user=request.user,
                note=data["note"],
                evidence=evidence,
                expected_version=data.get("expected_version"),
                channel=Channel.API,
            )
        except StaleEditError as error:
            return _conflict(error)
        except TransitionError as error:
            # Moved by someone else since the checks above, without an expected_version.
            item.refresh_from_db(fields=["status", "version"])
            return Response(
                {"detail": str(error), "current_version": item.version},
                status=status.HTTP_409_CONFLICT,
            )
        except DomainError as error:
            raise Refused(str(error)) from error
        return Response(
            serializers.ItemSerializer(items().get(pk=item.pk), context={"request": request}).data
        )


# Section 55 responses, Engage, programmes and themes ---------------------------------------


def received_responses():
    # 1 responses with report and body, 2 their statements with the recommendation answered
    statements = Section55Statement.objects.select_related("finding").order_by(
        "finding__position", "finding__reference"
    )
    return (
        Section55Response.objects.published()
        .received()
        .select_related("inspection", "local_policing_body")
        .prefetch_related(Prefetch("statements", queryset=statements))
    )


@extend_schema_view(
    get=extend_schema(
        tags=["Section 55 responses"],
        summary="Every section 55 response received",
        description=(
            "A local policing body's published comments on a police report, due within 56 days "
            "of its publication (section 55 of the Police Act 1996), with a statement for each "
            "recommendation. Drafts never appear."
        ),
    )
)
class Section55ResponseList(ListView):
    serializer_class = serializers.Section55ResponseSerializer
    filterset_class = filters.Section55ResponseFilterSet

    def get_queryset(self):
        return received_responses()


@extend_schema_view(
    get=extend_schema(
        tags=["Section 55 responses"],
        summary="One section 55 response received",
        parameters=[path_id("section 55 response")],
    )
)
class Section55ResponseDetail(DetailView):
    serializer_class = serializers.Section55ResponseSerializer

    def get_queryset(self):
        return received_responses()


def engage_periods():
    return EngagePeriod.objects.published().select_related("organisation", "inspection")


@extend_schema_view(
    get=extend_schema(
        tags=["Engage"],
        summary="Every period in Engage, the inspectorate's enhanced monitoring",
        description=(
            "When an organisation went into Engage and came out, and why. The inspection behind "
            "a period is linked only once it is published."
        ),
    )
)
class EngagePeriodList(ListView):
    serializer_class = serializers.EngagePeriodSerializer
    filterset_class = filters.EngagePeriodFilterSet

    def get_queryset(self):
        return engage_periods()


@extend_schema_view(
    get=extend_schema(
        tags=["Engage"], summary="One period in Engage", parameters=[path_id("Engage period")]
    )
)
class EngagePeriodDetail(DetailView):
    serializer_class = serializers.EngagePeriodSerializer

    def get_queryset(self):
        return engage_periods()


@extend_schema_view(
    get=extend_schema(
        tags=["Index"],
        summary="Every inspection programme with a published report",
        description=(
            "Their slugs are what the programme filter takes. A programme appears with its "
            "first published report."
        ),
    )
)
class ProgrammeList(ListView):
    serializer_class = serializers.ProgrammeSerializer

    def get_queryset(self):
        return Programme.objects.published()


@extend_schema_view(
    get=extend_schema(
        tags=["Index"],
        summary="Every theme of published findings",
        description=(
            "Their slugs are what the theme filter takes. A theme appears with the first "
            "published finding that has it."
        ),
    )
)
class ThemeList(ListView):
    serializer_class = serializers.ThemeSerializer

    def get_queryset(self):
        return Theme.objects.published()


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any other address under /api/v1/: a 404 in JSON, like the API's own."""

    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is nothing at this address in the API.")

    post = put = patch = delete = get
