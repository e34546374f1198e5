"""Rate limits: per address for anonymous clients, per person for token holders.

The rates are read from the settings on every request (``API_ANON_RATE``, ``API_TOKEN_RATE``),
not once at import as DRF's own classes do, so that a test or a deployment can change them.
The counts live in the "shared" cache, one for every worker (config/settings.py: CACHES), so a
limit holds however many workers serve the API. An anonymous client is known by its real
address (core/security.py: client_ip), never by an X-Forwarded-For it wrote itself.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from core.security import client_ip


class _SharedCache:
    """The shared cache, looked up when used so that settings changed by tests are seen."""

    def __get__(self, instance, owner):
        return caches["shared"]


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"
    cache = _SharedCache()

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        return client_ip(request)


class TokenThrottle(UserRateThrottle):
    scope = "token"
    cache = _SharedCache()

    def get_rate(self):
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous clients are AnonymousThrottle's
        return super().get_cache_key(request, view)
