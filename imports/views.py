"""Pasting a report's findings into the report editor: parse, preview with every doubt marked,
then add. The same plan, preview rules and save as the file import (``imports.services``):
another way into the same editor."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from imports.forms import PasteForm
from imports.services import apply_paste, plan_paste
from recommendations import policy
from workspace.report_forms import OrganisationChoices
from workspace.report_views import PASTED
from workspace.views import inspector_required


@never_cache
@require_http_methods(["GET", "POST"])
@inspector_required
def paste(request, pk):
    """``action=preview`` shows what the text would add; ``action=add`` adds it, if the plan
    is still the one previewed (the ``digest``) and has no doubt left. A GET previews the
    findings pasted on the new-report page (kept in the session until they are added)."""
    inspection = get_object_or_404(policy.drafts_editable_by(request.user), pk=pk)
    choices = OrganisationChoices(inspection.organisations.all())
    if request.method == "GET":
        pasted = request.session.get(PASTED.format(pk=inspection.pk))
        if not pasted:
            return redirect(reverse("workspace:report", args=[inspection.pk]) + "#paste")
        sent = {"text": pasted, "deadline": "later", "action": "preview"}
    else:
        sent = request.POST
    form = PasteForm(sent, offered=[*choices.inspected, *choices.policing_bodies])
    context = {"inspection": inspection, "form": form, "paste": None}
    if not form.is_valid():
        return render(request, "imports/paste.html", context, status=400)
    data = form.cleaned_data
    planned = plan_paste(
        inspection=inspection,
        text=data["text"],
        fallback_addressees=data["fallback"],
        due_date=data["due_date"],
    )
    context["paste"] = planned
    digest = planned.plan.digest()
    if sent.get("action") == "add":
        if data["digest"] != digest:
            form.add_error(
                None,
                "The findings or the report changed since the preview: check the preview "
                "again, then add them.",
            )
        else:
            try:
                result = apply_paste(
                    paste=planned, user=request.user, no_deadline=data["deadline"] == "none"
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                request.session.pop(PASTED.format(pk=inspection.pk), None)
                messages.success(
                    request,
                    f"{result.created} finding{'s' if result.created != 1 else ''} added"
                    + (f", {result.updated} updated" if result.updated else "")
                    + ".",
                )
                return redirect(reverse("workspace:report", args=[inspection.pk]) + "#findings")
    form.data = form.data.copy()
    form.data["digest"] = digest
    return render(request, "imports/paste.html", context, status=400 if form.errors else 200)
