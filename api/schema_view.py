"""The OpenAPI schema at /api/schema/ (apart from api/schema.py, which the views import)."""

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The API has one version, so `?version=` chooses nothing. drf-spectacular would otherwise
    copy any value given into the Content-Disposition header (a line break in it was a 500)."""

    def _get_version_parameter(self, request):
        return None
