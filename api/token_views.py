"""API tokens on a person's account pages: create one (shown once), see them, revoke one."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from api.forms import TokenForm
from api.models import ApiToken
from api.services import may_have_tokens, token_create, token_revoke
from core.errors import DomainError


def _token_holder(request):
    """Anonymous people are sent to sign in; people without an API role are refused (403)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_have_tokens(request.user):
        raise PermissionDenied
    return None


@require_http_methods(["GET", "POST"])
def token_list(request):
    if (refusal := _token_holder(request)) is not None:
        return refusal
    form = TokenForm(request.POST or None)
    new_token, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            _row, new_token = token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error("name", str(error))
            status = 400
        else:
            # Shown on this answer only: it is not stored, and the page is not cached.
            form = TokenForm()
    elif request.method == "POST":
        status = 400
    tokens = request.user.api_tokens.order_by("revoked_at", "-created_at", "-pk")
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": list(tokens),
            "can_write": request.user.is_organisation_user,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def token_revoke_view(request, pk):
    if (refusal := _token_holder(request)) is not None:
        return refusal
    token = get_object_or_404(ApiToken.objects.active().filter(user=request.user), pk=pk)
    if request.method == "POST":
        token_revoke(token=token, user=request.user)
        messages.success(request, f"The token “{token.name}” has been revoked. It no longer works.")
        return redirect("tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
