"""Admin machinery every app's admin may share. Registers nothing: core has no admin pages."""

from django.forms.models import BaseInlineFormSet


class SharedChoicesInlineFormSet(BaseInlineFormSet):
    """Evaluates the choices of the listed foreign keys once for the whole formset.

    Without it every inline row runs its own query for each select box, so a report with
    twenty findings costs twenty queries more.
    """

    shared_choice_fields: tuple[str, ...] = ()

    def _shared_choices(self):
        # Built once, on first use: every form, the blank template row (``empty_form``, a new
        # form at each reading) included, takes the limited choices.
        if not hasattr(self, "_shared"):
            self._shared = {}
            for name in self.shared_choice_fields:
                field = self.form.base_fields.get(name)
                if field is None:
                    continue
                queryset = self.limit_choices(name, field.queryset)
                choices = [("", "---------"), *((obj.pk, str(obj)) for obj in queryset)]
                self._shared[name] = (queryset, choices)
        return self._shared

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, (queryset, choices) in self._shared_choices().items():
            if name in form.fields:
                form.fields[name].queryset = queryset
                form.fields[name].choices = choices

    def limit_choices(self, name, queryset):
        return queryset
