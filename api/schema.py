"""The OpenAPI schema's conventions: every operation documents the answers it can really give.

drf-spectacular describes the successful answer; ``AutoSchema`` adds the others, so that the
schema tests (schemathesis) hold the API to all of them: 304 for conditional reads, 400 for a
bad filter, 401 for a bad token, 404 for what is not published, 429 for too many requests.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from api.serializers import ConflictSerializer, ErrorSerializer, ThrottledSerializer
from inspections.choices import OrganisationKind, Region
from recommendations.choices import FindingKind, Status

SUCCESS = {
    ("GET", True): (
        "A page of results, in order of id: next and previous are the addresses of the "
        "neighbouring pages, null at either end."
    ),
    ("GET", False): "What was asked for.",
    ("POST", False): "Recorded.",
}
NOT_MODIFIED = OpenApiResponse(
    description=(
        "Not modified: the client's copy (If-None-Match or If-Modified-Since) is current. No body."
    )
)
BAD_FILTER = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "A parameter's value is not valid: each wrong parameter with its messages, or a detail "
        "(a control character, such as a NUL byte, in any parameter)."
    ),
)
BAD_PARAMETER = OpenApiResponse(
    ErrorSerializer,
    description="A parameter's name or value contains a control character, such as a NUL byte.",
)
BAD_INPUT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "What was sent cannot be recorded: each wrong field with its messages, or a detail."
    ),
)
BAD_TOKEN = OpenApiResponse(
    ErrorSerializer,
    description="No token where one is needed, or a token that is not valid or was revoked.",
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description=(
        "The token's owner may see this item but not do this: only organisation users write, "
        "only leads submit for closure, and only while the item's status allows it."
    ),
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="Nothing published here (or, when writing, not an item of your organisations).",
)
BAD_CURSOR = OpenApiResponse(
    ErrorSerializer, description="The cursor is not valid: follow the next and previous links."
)
CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description=(
        "Someone else changed the item since the expected_version you sent, or its status no "
        "longer allows this. Nothing was recorded."
    ),
)
THROTTLED = OpenApiResponse(
    ThrottledSerializer,
    description="Too many requests: wait the number of seconds given (also in Retry-After).",
)


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._other_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    response, str(code), direction=direction
                )
        for code, response in responses.items():
            if code.startswith("2") and not response.get("description"):
                response["description"] = SUCCESS.get(
                    (self.method, self._is_list_view()), "What was asked for."
                )
        return dict(sorted(responses.items()))

    def _other_responses(self):
        # core/security.py answers 400 to control characters in any parameter.
        others = {400: BAD_PARAMETER, 401: BAD_TOKEN, 429: THROTTLED}
        if self.method == "GET":
            others[304] = NOT_MODIFIED
            if self._is_list_view():
                others[404] = BAD_CURSOR
                if getattr(self.view, "filterset_class", None):
                    others[400] = BAD_FILTER
            else:
                others[404] = NOT_FOUND
        else:
            others.update({400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
        return others


def _slug(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description)


# The browse page's filters (recommendations/filters.py), described for API clients. The
# FilterSet itself comes from there: these only override the descriptions in the schema.
ITEM_FILTER_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=(
            "Words to find in the finding's text (all of them; on PostgreSQL with English "
            "stemming), or a finding's exact reference such as R1."
        ),
    ),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=FindingKind.values, description="Only this kind of finding."
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        enum=Status.values,
        description="Only these statuses; repeat the parameter for several.",
    ),
    _slug(
        "organisation",
        "Only items of this organisation (its slug), including what was addressed to the bodies "
        "it succeeded.",
    ),
    OpenApiParameter(
        "organisation_kind",
        OpenApiTypes.STR,
        enum=OrganisationKind.values,
        description="Only items of this type of organisation.",
    ),
    OpenApiParameter(
        "region",
        OpenApiTypes.STR,
        enum=Region.values,
        description="Only items of organisations of this region.",
    ),
    _slug("programme", "Only findings of this inspection programme (its slug)."),
    _slug("theme", "Only findings of this theme (its slug)."),
    OpenApiParameter(
        "year",
        OpenApiTypes.INT,
        description="Only findings of reports published in this year (2010 to this year).",
    ),
    OpenApiParameter(
        "overdue",
        OpenApiTypes.STR,
        enum=["yes", "no"],
        description="yes: only overdue items (not closed, past their due date); no: the others.",
    ),
    OpenApiParameter(
        "extended",
        OpenApiTypes.STR,
        enum=["overdue", "yes"],
        description=(
            "overdue: only items given a later due date while they were overdue (whatever "
            "their status now); yes: only items whose due date was ever changed."
        ),
    ),
    OpenApiParameter(
        "due_after",
        OpenApiTypes.DATE,
        description="Only items due on or after this day (YYYY-MM-DD).",
    ),
    OpenApiParameter(
        "due_before",
        OpenApiTypes.DATE,
        description="Only items due on or before this day (YYYY-MM-DD).",
    ),
    _slug("inspection", "Only findings of this inspection (its slug)."),
]


def path_id(what):
    return OpenApiParameter(
        "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id."
    )


def path_slug(what):
    return OpenApiParameter(
        "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description=f"The {what}'s slug."
    )
