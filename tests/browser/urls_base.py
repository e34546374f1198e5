"""A test-only URLconf: base.html around a small page, and stand-ins for the public pages that
its navigation links to, so the template is tested apart from the real views."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

PAGE = """{% extends "base.html" %}
{% block title %}Base template{% endblock %}
{% block before_content %}<a href="/" class="govuk-back-link">Back</a>{% endblock %}
{% block content %}
  <h1 class="govuk-heading-l">Base template</h1>
  <p class="govuk-body">A page with <a class="govuk-link" href="#chart">a link</a> and a chart.</p>
  <svg id="chart" class="app-chart" width="400" height="40" viewBox="0 0 400 40"
       role="img" aria-labelledby="chart-title">
    <title id="chart-title">One bar</title>
    <rect class="app-chart__bar" x="100" y="5" width="200" height="22"></rect>
    <text class="app-chart__label" x="92" y="21">Open</text>
    <text class="app-chart__value" x="306" y="21">12</text>
  </svg>
{% endblock %}
"""


def page(request):
    return HttpResponse(engines["django"].from_string(PAGE).render(request=request))


public_urlpatterns = [
    path("", page, name="overview"),
    path("findings/", page, name="finding-list"),
    path("about/", page, name="about"),
]

urlpatterns = [path("", include((public_urlpatterns, "public")))]
