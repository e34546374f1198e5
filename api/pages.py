"""The API's pages for people: what it is, its reference and its data dictionary.

Both the reference and the dictionary are drawn on the server from the OpenAPI schema itself,
so they cannot drift from what the API does, and they need no script or external asset.
"""

import re
from functools import cache

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

from api.views import LICENCE, LICENCE_URL

# The resources first, in the order a newcomer meets them; then what they contain.
RESOURCE_ORDER = [
    "Organisation",
    "Inspection",
    "Finding",
    "Item",
    "ProgressUpdate",
    "StatusChange",
    "Section55Response",
    "EngagePeriod",
    "Programme",
    "Theme",
]
# Components that are not data: request bodies are described in the reference, pages and
# errors in the reference's introduction.
NOT_DATA = re.compile(r"(Request$|^Paginated|^PatchedApi|Enum$)")
TAG_ORDER = [
    "Index",
    "Organisations",
    "Inspections",
    "Findings",
    "Items",
    "Timeline",
    "Section 55 responses",
    "Engage",
    "Writing",
]
ENUM_LINE = re.compile(r"^\* `(?P<value>[^`]*)` - (?P<label>.*)$")
# drf-spectacular appends the values of a choice to its description as a Markdown list; the
# pages show them in a list of their own.
VALUE_LIST = re.compile(r"\s*^\* `.*$", re.MULTILINE)


def plain(description: str) -> str:
    return VALUE_LIST.sub("", description).strip()


@cache
def api_schema() -> dict:
    """The OpenAPI schema, as /api/schema/ serves it (built once per process)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def enum_values(component: dict) -> list[dict]:
    """An enum's values with their labels, from the description drf-spectacular writes."""
    labels = {}
    for line in component.get("description", "").splitlines():
        match = ENUM_LINE.match(line.strip())
        if match:
            labels[match["value"]] = match["label"]
    return [
        {"value": value, "label": labels.get(value, "")}
        for value in component.get("enum", [])
        if value is not None
    ]


def describe_type(prop: dict, components: dict) -> dict:
    """A field's type in words, and the component or values it refers to."""
    nullable = bool(prop.get("nullable"))
    if "allOf" in prop or "oneOf" in prop:
        parts = prop.get("allOf") or prop.get("oneOf")
        refs = [_ref_name(p["$ref"]) for p in parts if "$ref" in p]
        real = [r for r in refs if r not in ("NullEnum", "BlankEnum")]
        nullable = nullable or "NullEnum" in refs
        prop = {"$ref": f"#/components/schemas/{real[0]}"} if real else {}
    if "$ref" in prop:
        name = _ref_name(prop["$ref"])
        component = components.get(name, {})
        if "enum" in component:
            words = "one of the values below"
            values = enum_values(component)
            return {"words": words, "values": values, "nullable": nullable, "link": None}
        return {"words": name, "values": [], "nullable": nullable, "link": name}
    kind = prop.get("type", "object")
    if kind == "array":
        inner = describe_type(prop.get("items", {}), components)
        inner["words"] = f"list of {inner['words']}"
        inner["nullable"] = nullable
        return inner
    words = {
        "string": "text",
        "integer": "whole number",
        "boolean": "true or false",
        "number": "number",
        "object": "object",
    }.get(kind, kind)
    fmt = prop.get("format")
    if fmt == "uri":
        words = "address (URL)"
    elif fmt == "date":
        words = "date (YYYY-MM-DD)"
    elif fmt == "date-time":
        words = "date and time (ISO 8601, with offset)"
    elif fmt == "binary":
        words = "file"
    values = [{"value": v, "label": ""} for v in prop.get("enum", []) if v is not None]
    return {"words": words, "values": values, "nullable": nullable, "link": None}


def component_fields(component: dict, components: dict) -> list[dict]:
    required = set(component.get("required", []))
    return [
        {
            "name": name,
            "description": plain(prop.get("description", "")),
            "required": name in required,
            **describe_type(prop, components),
        }
        for name, prop in component.get("properties", {}).items()
    ]


def data_components(schema: dict) -> list[dict]:
    components = schema["components"]["schemas"]
    names = [n for n in RESOURCE_ORDER if n in components]
    names += sorted(n for n in components if n not in names and not NOT_DATA.search(n))
    return [
        {
            "name": name,
            "is_resource": name in RESOURCE_ORDER,
            "description": components[name].get("description", ""),
            "fields": component_fields(components[name], components),
        }
        for name in names
    ]


def operations(schema: dict) -> list[dict]:
    """Every operation, grouped by tag, with its parameters, body and answers."""
    components = schema["components"]["schemas"]
    groups = {}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            tag = (operation.get("tags") or ["Other"])[0]
            bodies = []
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                ref = content.get("schema", {}).get("$ref")
                component = components.get(_ref_name(ref), {}) if ref else {}
                bodies.append(
                    {"media_type": media_type, "fields": component_fields(component, components)}
                )
            responses = []
            for code, response in operation.get("responses", {}).items():
                schema_ref = (
                    response.get("content", {}).get("application/json", {}).get("schema", {})
                )
                ref = schema_ref.get("$ref") or schema_ref.get("items", {}).get("$ref")
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "component": _ref_name(ref) if ref else None,
                    }
                )
            groups.setdefault(tag, []).append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "secured": any("token" in s for s in operation.get("security", [])),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "description": plain(p.get("description", "")),
                            **describe_type(p.get("schema", {}), components),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "bodies": bodies,
                    "responses": sorted(responses, key=lambda r: r["code"]),
                }
            )
    order = {tag: index for index, tag in enumerate(TAG_ORDER)}
    return [
        {"tag": tag, "operations": groups[tag]}
        for tag in sorted(groups, key=lambda t: (order.get(t, len(order)), t))
    ]


def rate_words(rate: str) -> str:
    """ "120/minute" as "120 requests a minute"."""
    number, _, period = rate.partition("/")
    return f"{number} requests a {period}"


@require_safe
def overview(request):
    return render(
        request,
        "api/overview.html",
        {
            "base_url": request.build_absolute_uri(reverse("api:root")),
            "anon_rate": rate_words(settings.API_ANON_RATE),
            "token_rate": rate_words(settings.API_TOKEN_RATE),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


@require_safe
def docs(request):
    schema = api_schema()
    return render(
        request,
        "api/docs.html",
        {"info": schema["info"], "groups": operations(schema), "licence_url": LICENCE_URL},
    )


@require_safe
def data_dictionary(request):
    return render(
        request,
        "api/data_dictionary.html",
        {
            "components": data_components(api_schema()),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )
