"""The statutory and trust pages: accessibility statement, privacy notice, cookies, feedback.

Their words live in the templates (templates/public/pages/); the facts that differ between
deployments (who runs the service, where to write) come from the settings.
"""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


def _context(**extra):
    return {
        "contact_email": settings.CONTACT_EMAIL,
        "service_owner": settings.SERVICE_OWNER,
        **extra,
    }


@require_safe
def accessibility(request):
    return render(request, "public/pages/accessibility.html", _context())


@require_safe
def privacy(request):
    return render(
        request,
        "public/pages/privacy.html",
        _context(
            unconfirmed_days=settings.ALERTS_UNCONFIRMED_DAYS,
            session_days=settings.SESSION_COOKIE_AGE // 86400,
        ),
    )


@require_safe
def cookies(request):
    return render(
        request,
        "public/pages/cookies.html",
        _context(
            session_cookie=settings.SESSION_COOKIE_NAME,
            csrf_cookie=settings.CSRF_COOKIE_NAME,
            session_days=settings.SESSION_COOKIE_AGE // 86400,
        ),
    )


@require_safe
def feedback(request):
    return render(request, "public/pages/feedback.html", _context())
