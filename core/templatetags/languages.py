"""The language toggle and the ``hreflang`` alternates: the same page in each language.

A page outside the translated part of the site (the admin, the inspectors' workspace, the API)
has one address only, so it gets no toggle and no alternates.
"""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


def _language_versions(request):
    if request is None or request.resolver_match is None:
        return []
    current = translation.get_language()
    here = request.get_full_path()
    versions = []
    for code, name in settings.LANGUAGES:
        url = here if code == current else translate_url(here, code)
        versions.append({"code": code, "name": name, "url": url, "current": code == current})
    # A page whose address does not change with the language is not translated.
    if len({version["url"] for version in versions}) < len(versions):
        return []
    return versions


@register.simple_tag(takes_context=True)
def language_versions(context):
    """Each language's version of this page: code, name (in that language), url, current."""
    return _language_versions(context.get("request"))
