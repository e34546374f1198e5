from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_noop

from core.choices import Language
from reminders.choices import ReminderKind
from reminders.forms import ReminderPreferencesForm
from reminders.services import enabled_kinds, preferences_save, relevant_kinds

# Marked for the catalogue here, translated when shown.
SAVED_MESSAGE = gettext_noop("Your email reminder choices have been saved")


@login_required
def preferences(request):
    """Turn each kind of email reminder on or off. Only the kinds that can concern the person
    are offered (all of them when none does yet); the others keep their setting."""
    concerned = relevant_kinds(request.user)
    kinds = concerned or ReminderKind.values
    if request.method == "POST":
        form = ReminderPreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            preferences_save(
                user=request.user,
                enabled=set(form.cleaned_data["kinds"]),
                kinds=kinds,
                # The reminders come in the language the person chose them in.
                language=Language.current(),
            )
            messages.success(request, gettext(SAVED_MESSAGE))
            return redirect("reminders:preferences")
    else:
        current = enabled_kinds(request.user)
        form = ReminderPreferencesForm(
            initial={"kinds": [kind for kind in kinds if kind in current]}, kinds=kinds
        )
    return render(
        request,
        "reminders/preferences.html",
        {"form": form, "concerned": bool(concerned), "email": request.user.email},
    )
