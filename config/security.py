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
400 with a plain page before a view can trip over it.
"""

import ipaddress
import re

from django.conf import settings
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

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


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def _bad_items(query_dict) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(v) for v in values)
        for key, values in query_dict.lists()
    )


def _bad_form(request) -> bool:
    if request.method != "POST" or not request.content_type.startswith(FORM_TYPES):
        return False
    if _bad_items(request.POST):
        return True
    return any(
        has_control_characters(key) or any(has_control_characters(f.name or "") for f in files)
        for key, files in request.FILES.lists()
    )


def bad_request(request, message: str):
    if request.path_info.startswith("/api/v1/"):
        return JsonResponse({"detail": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


class ControlCharactersMiddleware:
    """400 for a query parameter or form field (name or value) with a control character."""

    MESSAGE = (
        "The address or the form contains a control character (such as a NUL byte) that "
        "cannot be searched for or stored. Remove it and try again."
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            bad = _bad_items(request.GET) or _bad_form(request)
        except MultiPartParserError:
            return bad_request(request, "The form could not be read. Try sending it again.")
        if bad:
            return bad_request(request, self.MESSAGE)
        return self.get_response(request)
