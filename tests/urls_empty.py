"""A URLconf with no URLs, for templates that must render whatever is routed."""

urlpatterns = []
