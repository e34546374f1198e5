"""Defences every request passes through: the client's real address, and a 400 for input that
no page can store or search for.

The client's address: each proxy of our own in front of the app (TRUSTED_PROXY_COUNT of them)
appends the address it was reached from to X-Forwarded-For, so the client's address is the
TRUSTED_PROXY_COUNT-th from the right. Anything to the left of it was written by the client and
is never believed. The API's rate limits (api/throttling.py, and DRF's NUM_PROXIES) and the
sign-in lockout (django-axes) both key on it.

Control characters: PostgreSQL cannot store a NUL in text, and none of C0's other control
characters belongs in a search box or a form field; tab, carriage return and line feed do (a
pasted paragraph). A query parameter or form field, name or value, carrying any other answers
400 with a plain page before a view can trip over it; a cookie carrying one is ignored.
"""

import ipaddress
import re

from django.conf import settings
from django.core.exceptions import BadRequest, FieldDoesNotExist, ValidationError
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views import defaults

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def client_ip(request) -> str:
    """The address of the client, behind settings.TRUSTED_PROXY_COUNT proxies of our own."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count == 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    # As DRF's NUM_PROXIES reads it: a request that passed fewer proxies than expected (a
    # misconfiguration) gives its leftmost address.
    candidate = addresses[-min(count, len(addresses))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def sign_in_username(request, credentials=None) -> str | None:
    """The username a sign-in was tried with, as django-axes records it: at most 255 characters,
    the length of its column (Django's sign-in forms do not enforce the username's length)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:255] if isinstance(username, str) else username


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def _bad_items(query_dict) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(v) for v in values)
        for key, values in query_dict.lists()
    )


def _bad_files(files) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(f.name or "") for f in uploads)
        for key, uploads in files.lists()
    )


class ControlCharacters(BadRequest):
    """A parameter or form field holds a control character; answered 400 (bad_request)."""

    message = (
        "The address or the form contains a control character (such as a NUL byte) that "
        "cannot be searched for or stored. Remove it and try again."
    )


def _check_form_when_read(request) -> None:
    """Check the form's fields when something first reads them (the CSRF check, the view).

    Not at once: a view may first set its own upload handlers (the admin's import does), which
    it can only do before the body is read.
    """
    load = request._load_post_and_files

    def load_and_check():
        load()
        if _bad_items(request._post) or _bad_files(request._files):
            raise ControlCharacters(ControlCharacters.message)

    request._load_post_and_files = load_and_check


def bad_request(request, exception=None):
    """The 400 page (config/urls.py: handler400), in JSON for the API."""
    if isinstance(exception, ControlCharacters):
        message = ControlCharacters.message
    else:
        message = "The address or the form sent to this page could not be understood."
    if request.path_info.startswith("/api/v1/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception=None):
    """The 404 page (config/urls.py: handler404), in JSON for the API: an address no API route
    matches (a fuzzed id, a mistyped path) is answered as the API answers everything else."""
    if request.path_info.startswith("/api/v1/"):
        return JsonResponse({"detail": "There is nothing at this address in the API."}, status=404)
    return defaults.page_not_found(request, exception)


class ControlCharactersMiddleware:
    """400 for a query parameter or form field (name or value) with a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A cookie can carry a NUL too (Django unquotes "\000"): one that does was not set by
        # us, and is dropped as if absent, so that the session is replaced rather than looked up.
        for name, value in list(request.COOKIES.items()):
            if has_control_characters(name) or has_control_characters(value):
                del request.COOKIES[name]
        if _bad_items(request.GET):
            return bad_request(request, ControlCharacters())
        if request.method == "POST" and request.content_type in FORM_TYPES:
            _check_form_when_read(request)
        return self.get_response(request)


def valid_initial(model, initial: dict) -> dict:
    """An admin add form's initial data from its address (``?inspection=3``) without the values
    that cannot be one of their field's: ``?inspection=x`` made the autocomplete widget's query
    fail with a 500."""
    kept = {}
    for name, value in initial.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            kept[name] = value
            continue
        if field.is_relation and not field.auto_created:
            values = value if isinstance(value, list) else [value]
            try:
                if not all(_one_of(field.target_field, one) for one in values):
                    continue
            except ValidationError:
                continue
        kept[name] = value
    return kept


def _one_of(field, value) -> bool:
    """Whether ``value`` can be stored in ``field``: a whole number beyond the database's
    integer range overflows the query (SQLite raises, a 500)."""
    python = field.to_python(value)
    if isinstance(python, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python >= low) and (high is None or python <= high)
    return True
