"""The public's email alert pages: ask for emails, confirm, unsubscribe. No sign-in: the
signed links in the emails say who may confirm or unsubscribe."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from alerts.choices import UNCONFIRMED_KEEP
from alerts.forms import SubscribeForm
from alerts.services import (
    InvalidLink,
    RateLimited,
    inspection_target,
    organisation_target,
    search_target,
    subscription_confirm,
    subscription_delete,
    subscription_for_confirmation,
    subscription_for_unsubscribe,
    subscription_request,
    subscription_target,
)
from core.choices import Language
from core.errors import DomainError
from core.security import client_ip


def _target(params):
    """What the page offers emails about, from its query string; None when it names nothing.
    An unknown (or embargoed) organisation or inspection is a 404; a search that does not pass
    the browse page's filters raises ``DomainError``."""
    if "organisation" in params:
        target = organisation_target(params["organisation"])
    elif "inspection" in params:
        target = inspection_target(params["inspection"])
    elif "search" in params:
        return search_target(params["search"])
    else:
        return None
    if target is None:
        raise Http404("No such page")
    return target


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    try:
        target = _target(request.GET)
    except DomainError as error:
        return render(request, "alerts/cannot_follow.html", {"problem": str(error)}, status=400)
    if target is None:
        return render(request, "alerts/cannot_follow.html", {"problem": None}, status=400)
    status = 200
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        if form.is_valid():
            try:
                subscription_request(
                    email=form.cleaned_data["email"],
                    target=target,
                    frequency=form.cleaned_data["frequency"],
                    client_ip=client_ip(request),
                    language=Language.current(),
                )
            except RateLimited as error:
                form.add_error("email", str(error))
                status = 429
            except DomainError as error:
                form.add_error(None, str(error))
                status = 503
            else:
                return redirect("alerts:check-email")
        else:
            status = 400
    else:
        form = SubscribeForm()
    return render(
        request,
        "alerts/subscribe.html",
        {"form": form, "target": target, "action": request.get_full_path()},
        status=status,
    )


@require_safe
def check_email(request):
    return render(request, "alerts/check_email.html", {"keep_days": UNCONFIRMED_KEEP.days})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button and POST confirms: a mail scanner that follows links must not
    subscribe anyone."""
    try:
        subscription = subscription_for_confirmation(token)
    except InvalidLink as error:
        return render(request, "alerts/invalid_link.html", {"problem": str(error)}, status=400)
    was_confirmed = subscription.is_confirmed
    if request.method == "POST":
        subscription = subscription_confirm(subscription=subscription)
    return render(
        request,
        "alerts/confirm.html",
        {
            "subscription": subscription,
            "target": subscription_target(subscription),
            "done": request.method == "POST" or was_confirmed,
        },
    )


# Exempt from the CSRF check: mail clients unsubscribe with a plain POST (RFC 8058), and the
# signed token in the address is what authorises it; there is no session to protect.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows a button; POST (the button, or a mail client's one-click) unsubscribes."""
    try:
        subscription = subscription_for_unsubscribe(token)
    except InvalidLink as error:
        return render(request, "alerts/invalid_link.html", {"problem": str(error)}, status=400)
    if request.method == "POST":
        if subscription is not None:
            subscription_delete(subscription=subscription)
        return render(request, "alerts/unsubscribe.html", {"done": True})
    return render(
        request,
        "alerts/unsubscribe.html",
        {
            "done": subscription is None,
            "target": subscription_target(subscription) if subscription else None,
        },
    )
