import contextlib
import hashlib
import json
import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import FieldDoesNotExist
from django.forms.models import _get_foreign_key
from django.http import Http404, HttpResponseRedirect
from django.utils import dateformat, timezone

from audit.models import ActionLog
from core.security import valid_initial

# Models renamed since the audit log first named their actions. The log is append-only, so an
# action keeps its first name for ever (``recommendations.assignment.created``); its reader
# gives today's.
RENAMED_IN_ACTIONS = {"assignment": "item"}


class Refused(Exception):
    """A save the rules refused: the admin shows it as an error on the form it re-renders."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


@contextlib.contextmanager
def refused_on(*errors, field=None):
    """Turn the listed errors (a service's ``DomainError``) into a ``Refused`` form error."""
    try:
        yield
    except errors as error:
        raise Refused(str(error), field=field) from error


def scoped_choices(request, admin_site, model):
    """The rows of ``model`` the person may see, as its own admin scopes them (``None`` when
    that admin scopes nothing: every row)."""
    related = admin_site._registry.get(model)
    if not isinstance(related, AuditedAdmin):
        return None
    everything = model._default_manager.all()
    scoped = related.scope(request, everything)
    return None if scoped is everything else scoped


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter by a related row that offers only the rows the person may see: listing every
    programme or theme would name those of another inspectorate's embargoed report."""

    def field_choices(self, field, request, model_admin):
        scoped = scoped_choices(request, model_admin.admin_site, field.related_model)
        if scoped is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            scoped = scoped.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in scoped]


# Date hierarchy ----------------------------------------------------------------------------

DATE_PART_RANGES = {"year": (1000, 9000), "month": (1, 12), "day": (1, 31)}


def date_hierarchy_is_valid(params, field: str) -> bool:
    """Whether the date hierarchy's ``<field>__year/__month/__day`` parameters are small whole
    numbers in range. Django's filter turns them into dates and a huge year overflows (a 500)."""
    for part, (low, high) in DATE_PART_RANGES.items():
        for value in params.getlist(f"{field}__{part}"):
            if not re.fullmatch(r"[0-9]{1,4}", value) or not low <= int(value) <= high:
                return False
    return True


class DateHierarchyGuard:
    """Answers a date hierarchy parameter out of range as Django answers a bad lookup: a
    redirect to the list with ``?e=1``, never a 500."""

    def changelist_view(self, request, extra_context=None):
        if self.date_hierarchy and not date_hierarchy_is_valid(request.GET, self.date_hierarchy):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)


# Stale change forms --------------------------------------------------------------------------

SHOWN_AS = "shown_as"


class ShownAsField(forms.CharField):
    """The fingerprint of the object as the change form showed it. Never a change itself."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def has_changed(self, initial, data):
        return False


def _shown_when(at) -> str:
    return dateformat.format(timezone.localtime(at), r"j F Y \a\t H:i")


class AuditedAdmin(DateHierarchyGuard, admin.ModelAdmin):
    """The base of the project's model admins.

    - Shows an object's action log (and status history, where it has one) on its History page,
      beside the admin's own record of form edits.
    - Scopes what the person may see and change: ``scope`` (which asks the policy module) keeps
      the queryset to their rows, and every per-object permission asks the same scope; a row
      outside it answers 404.
    - A save refused by a service (``Refused``, raised from ``save_model``/``save_related``)
      rolls back everything the request wrote and re-renders the form with what was typed and
      the refusal as a form error (HTTP 200), never a success message.
    - Saving a form that changes nothing says so, instead of "changed successfully".
    """

    object_history_template = "admin/audited_object_history.html"

    def scope(self, request, queryset):
        """The rows the person may see and change here; return ``queryset`` itself for all."""
        return queryset

    def get_queryset(self, request):
        queryset = self.scope(request, super().get_queryset(request))
        if not queryset.query.order_by:
            # Explicitly: a model's default ordering is dropped from the grouped queries of
            # the counts that admins annotate, and the pages and autocomplete paginate.
            queryset = queryset.order_by(*(self.model._meta.ordering or ["pk"]))
        return queryset

    def get_list_filter(self, request):
        """Filters by a related row offer only the rows the person may see."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and self._is_relation(item):
                item = (item, ScopedRelatedFieldListFilter)
            filters.append(item)
        return filters

    def _is_relation(self, path) -> bool:
        try:
            field = get_fields_from_path(self.model, path)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return False
        return field.is_relation

    def in_scope(self, request, obj) -> bool:
        if obj is None or obj.pk is None or getattr(obj, "_admin_in_scope", False):
            return True
        everything = self.model._default_manager.all()
        scoped = self.scope(request, everything)
        return scoped is everything or scoped.filter(pk=obj.pk).exists()

    def _scoped_choices(self, request, model):
        """The choices of a relation to a scoped model: what its own admin would list."""
        return scoped_choices(request, self.admin_site, model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = self._scoped_choices(request, db_field.remote_field.model)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            scoped = self._scoped_choices(request, db_field.remote_field.model)
            if scoped is not None:
                kwargs["queryset"] = scoped
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._admin_in_scope = True  # Fetched through the scoped queryset.
        return obj

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Outside the person's scope or gone: the same answer, saying nothing of which.
        raise Http404("No such object.")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def get_deleted_objects(self, objs, request):
        # The "delete selected" action asks Django's model permissions only: ask each row too.
        deletable, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        refused = [str(obj) for obj in objs if not self.has_delete_permission(request, obj)]
        if refused:
            perms_needed = {*perms_needed, *refused}
        return deletable, counts, perms_needed, protected

    # Refusals as form errors -----------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            # The view's transaction rolled back what was written. Validate the same POST
            # again, this time with the refusal as an error, so the form shows what was typed.
            request._admin_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if self._fingerprinted(request, obj) and kwargs.get("fields", ()) is not None:
            form = self._with_shown_as(request, form, obj)
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            def clean(self):
                cleaned = super().clean()
                field = refusal.field if refusal.field in self.fields else None
                self.add_error(field, str(refusal))
                return cleaned

        RefusedForm.__name__ = form.__name__
        return RefusedForm

    # Stale change forms ------------------------------------------------------------------------

    #: The change form carries a fingerprint of the object as shown and refuses to save over a
    #: change made since, by anyone, through any door. (An admin whose form carries the
    #: object's own version, such as the item's, sets this to False.)
    fingerprinted = True
    #: What the stale-form message calls the object ("this report"); its verbose name if unset.
    stale_noun = None

    def fingerprint(self, request, obj) -> str:
        """A hash of what the change page shows of ``obj``: its fields, its many-to-many
        choices and its inline rows, with the last action logged for it (to say what changed).
        Any save by any path changes it."""
        parts = [[f.value_from_object(obj) for f in obj._meta.concrete_fields]]
        for field in obj._meta.many_to_many:
            parts.append(list(getattr(obj, field.name).order_by("pk").values_list("pk", flat=True)))
        seen = set()
        for inline in self.get_inline_instances(request, obj):
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            if (inline.model, fk.name) in seen:
                continue
            seen.add((inline.model, fk.name))
            names = [f.attname for f in inline.model._meta.concrete_fields]
            rows = inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk")
            parts.append(list(rows.values_list(*names)))
        digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]
        logged = ActionLog.objects.for_object(obj).order_by("-pk").values_list("pk", flat=True)
        return f"{digest}.{logged.first() or 0}"

    def stale_message(self, obj, shown: str) -> str:
        """Says what changed since the form was shown, from the action log entries since."""
        noun = self.stale_noun or obj._meta.verbose_name
        try:
            _, last_seen = shown.split(".")
            last_seen = int(last_seen)
        except ValueError:
            return (
                f"This form is incomplete or out of date: open the {noun} again, then make your "
                "change again."
            )
        entries = (
            ActionLog.objects.for_object(obj)
            .filter(pk__gt=last_seen)
            .select_related("actor")
            .order_by("pk")
        )
        said = [
            f"{self._changed_parts(obj, entry)} (by {entry.actor or 'the system'}, "
            f"{_shown_when(entry.at)})"
            for entry in entries
        ]
        what = f": {'; '.join(said)}" if said else ""
        return (
            f"Someone else changed this {noun} since you opened it{what}. Check it, then make "
            "your change again."
        )

    @staticmethod
    def _changed_parts(obj, entry) -> str:
        fields = entry.data.get("fields") if isinstance(entry.data, dict) else None
        if not fields:
            # e.g. "recommendations.assignment.created": "item created"
            noun, verb = entry.action.split(".")[-2:]
            return f"{RENAMED_IN_ACTIONS.get(noun, noun)} {verb}".replace("_", " ")
        names = []
        for name in fields:
            try:
                names.append(f"the {obj._meta.get_field(name).verbose_name}")
            except FieldDoesNotExist:
                names.append(f"the {name.replace('_', ' ')}")
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    def _fingerprinted(self, request, obj) -> bool:
        return self.fingerprinted and obj is not None and obj.pk is not None

    def _with_shown_as(self, request, form, obj):
        admin_ = self

        class ShownAsForm(form):
            shown_as = ShownAsField()

            def clean(self):
                cleaned = super().clean()
                # Locked and read afresh: a change committed since this request began counts.
                current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
                shown = cleaned.get(SHOWN_AS) or ""
                now = admin_.fingerprint(request, current)
                if shown.split(".")[0] != now.split(".")[0]:
                    self.add_error(None, admin_.stale_message(current, shown))
                return cleaned

        ShownAsForm.__name__ = form.__name__
        return ShownAsForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if SHOWN_AS in form.fields:
            if not form.is_bound:
                form.initial[SHOWN_AS] = self.fingerprint(request, obj)
            context["shown_as_field"] = form[SHOWN_AS]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Nothing changed -------------------------------------------------------------------------

    def log_change(self, request, obj, message):
        request._admin_changed = bool(message)
        if not message:
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if getattr(request, "_admin_changed", True):
            return super().response_change(request, obj)
        self.message_user(request, f"Nothing was changed: “{obj}” is as it was.", messages.INFO)
        return HttpResponseRedirect(request.path)

    def audit_status_changes(self, obj):
        """Status history rows to show, for models that have them."""
        return None

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, admin.utils.unquote(object_id))
        extra_context = extra_context or {}
        if obj is not None:
            extra_context["action_log"] = ActionLog.objects.for_object(obj).select_related("actor")
            extra_context["status_changes"] = self.audit_status_changes(obj)
        return super().history_view(request, object_id, extra_context=extra_context)

    def get_changeform_initial_data(self, request):
        return valid_initial(self.model, super().get_changeform_initial_data(request))


class ActionLogAdmin(DateHierarchyGuard, admin.ModelAdmin):
    """Read only. The site-wide log names every report, embargoed ones included, so only
    administrators list it (``policy.can_read_action_log``); others read an object's own log
    on its History page.

    Not registered here: audit is below the access rules (every service logs through it), so
    ``backoffice/admin.py`` registers a subclass that answers ``may_read_log`` from the
    policy. On its own this class lets nobody read the log.
    """

    list_display = ["at", "action", "object_repr", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["action", "object_repr", "actor__username"]
    list_select_related = ["actor", "content_type"]
    date_hierarchy = "at"
    readonly_fields = [
        "action",
        "actor",
        "at",
        "content_type",
        "object_id",
        "object_repr",
        "data",
    ]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def may_read_log(self, user) -> bool:
        return False

    def has_view_permission(self, request, obj=None):
        return self.may_read_log(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
