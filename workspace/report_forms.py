"""Forms of the report editor: a new report, a finding with its addressees, a cause of concern,
the schedule. Every choice of an organisation is server-rendered and works with JavaScript off:
checkboxes for the inspected bodies and their policing bodies, and a search-and-add field for
any other, which ranks exact names and the inspected bodies first."""

import hashlib
import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.forms import OneTimeTokenField
from inspections.models import Inspection, Inspectorate, Organisation
from inspections.services import KEY_FIGURE_MAX
from recommendations import policy
from recommendations.choices import FindingKind

SET_LATER, NO_DEADLINE, ON_DATE = "later", "none", "date"
DEADLINE_CHOICES = [
    (ON_DATE, "Due on a date"),
    (NO_DEADLINE, "No deadline: the report sets none"),
    (SET_LATER, "Not decided yet (the checklist will ask)"),
]


def split_names(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", value or "") if part.strip()]


def rank_organisations(query: str, organisations, inspected_ids=frozenset()) -> list:
    """Organisations matching ``query``, best first: an exact name or slug, then names that
    start with it, then names containing it; within each, the inspected bodies first. Typing
    "Kent Police" puts Kent Police before Kent Police and Crime Commissioner."""
    wanted = query.strip().casefold()
    if not wanted:
        return []
    ranked = []
    for org in organisations:
        name = org.name.casefold()
        if wanted in (name, org.slug):
            rank = 0
        elif name.startswith(wanted):
            rank = 1
        elif wanted in name:
            rank = 2
        else:
            continue
        ranked.append(((rank, org.pk not in inspected_ids, len(org.name), org.name), org))
    return [org for _, org in sorted(ranked, key=lambda pair: pair[0])]


def resolve_organisation_names(names, organisations, inspected_ids=frozenset()):
    """``(found, errors)``: each name resolved to the one organisation it names exactly (by
    name or slug), or an error naming the closest matches ("did you mean")."""
    found, errors = [], []
    for name in names:
        ranked = rank_organisations(name, organisations, inspected_ids)
        exact = [
            org for org in ranked if name.casefold() in (org.name.casefold(), org.slug.casefold())
        ]
        if exact:
            if exact[0] not in found:
                found.append(exact[0])
            continue
        if ranked:
            suggestions = ", ".join(org.name for org in ranked[:3])
            errors.append(f"No organisation is called “{name}”: did you mean {suggestions}?")
        else:
            errors.append(f"No organisation is called “{name}”: check the spelling.")
    return found, errors


KEY_FIGURES_HELP = (
    "One a line: a label, a colon and a number, with “out of” and a total if any. For example: "
    "Custody records reviewed: 63, or Detainees spoken to: 12 out of 40"
)
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_KEY_FIGURE = re.compile(
    rf"\s*(?P<label>\S.*?)\s*:\s*(?P<value>{_NUMBER})"
    rf"(?:\s+(?:out\s+of|of)\s+(?P<out_of>{_NUMBER}))?\s*",
    re.IGNORECASE,
)


def parse_key_figures(text: str) -> tuple[list[tuple[str, int, int | None]], list[str]]:
    """``(figures, errors)`` of the key figures typed one a line, ``label: value`` or ``label:
    value out of total`` (“of” alone too; 1,234 with commas): ``(label, value, out_of)`` in
    order, and an error naming the line of each that cannot be read. Blank lines are skipped."""
    figures, errors = [], []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _KEY_FIGURE.fullmatch(line)
        if not match:
            errors.append(
                f"Line {n} (“{line.strip()[:60]}”): write a label, a colon and a number, "
                "for example “Custody records reviewed: 63” or “Detainees spoken to: 12 out "
                "of 40”."
            )
            continue
        label = match["label"]
        value = int(match["value"].replace(",", ""))
        out_of = int(match["out_of"].replace(",", "")) if match["out_of"] else None
        if len(label) > 300:
            errors.append(f"Line {n}: the label is longer than 300 characters.")
        elif max(value, out_of or 0) > KEY_FIGURE_MAX:
            errors.append(f"Line {n}: the number is too large.")
        elif out_of is not None and value > out_of:
            errors.append(f"Line {n}: {value} is more than its total {out_of}.")
        else:
            figures.append((label, value, out_of))
    return figures, errors


def clean_key_figures(text: str) -> list[tuple[str, int, int | None]]:
    figures, errors = parse_key_figures(text)
    if errors:
        raise ValidationError(errors)
    return figures


def format_key_figures(figures) -> str:
    """Key figures (``KeyFigure`` rows) in the form they are typed: one a line."""
    return "\n".join(
        f"{f.label}: {f.value}" + (f" out of {f.out_of}" if f.out_of is not None else "")
        for f in figures
    )


class OrganisationChoices:
    """The organisations a form offers, read once: every current body (for the search field
    and its list of suggestions), and the inspected ones with their local policing bodies."""

    def __init__(self, inspected=()):
        self.all = list(
            Organisation.objects.current().select_related("local_policing_body").order_by("name")
        )
        self.inspected = list(inspected)
        self.inspected_ids = {org.pk for org in self.inspected}
        by_pk = {org.pk: org for org in self.all}
        self.policing_bodies = []
        for org in self.inspected:
            body = by_pk.get(org.local_policing_body_id) or org.local_policing_body
            if body is not None and body not in self.policing_bodies:
                self.policing_bodies.append(body)


def inspected_organisations(text: str, choices: "OrganisationChoices") -> list:
    """The organisations named in a report form's "Inspected organisations" box (one a line, or
    separated by ;), each resolved to one body; else the form error naming what was not found."""
    names = split_names(text)
    if not names:
        raise ValidationError("Name at least one inspected organisation.")
    found, errors = resolve_organisation_names(names, choices.all)
    if errors:
        raise ValidationError(errors)
    return found


class ReportForm(forms.Form):
    """A new report: what the public page will say of it, and whom it inspected."""

    title = forms.CharField(max_length=300)
    programme = forms.ModelChoiceField(queryset=None, empty_label="Choose a programme")
    lead_inspectorate = forms.ModelChoiceField(
        queryset=None, empty_label=None, label="Lead inspectorate"
    )
    partner_inspectorates = forms.ModelMultipleChoiceField(
        queryset=Inspectorate.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner inspectorates",
        help_text="The other inspectorates of a joint inspection, if any.",
    )
    organisations = forms.CharField(
        label="Inspected organisations",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their names, one a line (or separated by ;). Suggestions appear as you type.",
    )
    fieldwork_started_on = forms.DateField(
        required=False, label="Fieldwork started on", help_text="For example 2025-02-03."
    )
    fieldwork_ended_on = forms.DateField(required=False, label="Fieldwork ended on")
    report_url = forms.URLField(max_length=500, required=False, label="Link to the report")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    figures = forms.CharField(
        label="Key figures",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=KEY_FIGURES_HELP,
    )
    follows_up = forms.CharField(
        required=False,
        label="The report it follows up",
        help_text="The address name of an earlier report (for example met-custody-2021), if "
        "this one revisits it.",
    )
    findings = forms.CharField(
        label="Paste the findings (optional)",
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Copy them from the report: “Cause of concern 1 …”, “Recommendation 1 …”, "
        "“Area for improvement 1: The force should …”, or a heading over a numbered list. "
        "You will check the preview before anything is added.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["programme"].queryset = policy.programmes_usable_by(user).order_by("name")
        self.fields["lead_inspectorate"].queryset = policy.inspectorates_leadable_by(user)
        self.choices = OrganisationChoices()

    def clean_organisations(self):
        return inspected_organisations(self.cleaned_data["organisations"], self.choices)

    def clean_figures(self):
        return clean_key_figures(self.cleaned_data["figures"])

    def clean_follows_up(self):
        slug = self.cleaned_data["follows_up"].strip()
        if not slug:
            return None
        found = policy.inspections_visible_to(self.user).filter(slug=slug).first()
        if found is None:
            raise ValidationError(f"No report you can see has the address name “{slug}”.")
        return found

    def clean(self):
        data = super().clean()
        start, end = data.get("fieldwork_started_on"), data.get("fieldwork_ended_on")
        if start and end and end < start:
            self.add_error("fieldwork_ended_on", "The fieldwork cannot end before it starts.")
        return data


DETAILS_FIELDS = (
    "title",
    "programme_id",
    "fieldwork_started_on",
    "fieldwork_ended_on",
    "report_url",
    "summary",
    "title_cy",
    "summary_cy",
)


def details_fingerprint(inspection, organisation_ids, partner_ids, figures=()) -> str:
    """What the person saw of the report's details when the form was shown (reports carry no
    version number either), its key figures (``KeyFigure`` rows, in order) included: a save is
    refused if someone changed them meanwhile."""
    parts = [
        *(str(getattr(inspection, name)) for name in DETAILS_FIELDS),
        ",".join(str(pk) for pk in sorted(organisation_ids)),
        ",".join(str(pk) for pk in sorted(partner_ids)),
        "\x1e".join(f"{f.label}\x1d{f.value}\x1d{f.out_of}" for f in figures),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def finding_fingerprint(finding, addressee_ids) -> str:
    """What the person saw of a finding when the form was shown: a save is refused if someone
    changed it meanwhile (findings carry no version number; their words and addressees do)."""
    parts = [
        finding.kind,
        finding.reference,
        finding.text,
        finding.text_cy,
        str(finding.cause_of_concern_id),
        str(finding.due_date),
        str(finding.no_deadline),
        finding.deadline_wording,
        ",".join(str(pk) for pk in sorted(addressee_ids)),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


CORRECTION_HINT = (
    "The report is published: this change is a correction. The reason is published beside it "
    "(“Corrected on <date>: <reason>”). An addressee taken off is closed as no longer relevant, "
    "never removed."
)


def require_reason_once_published(form, inspection) -> None:
    """A published report's form asks the reason for the correction; a draft's has none."""
    if inspection.is_published:
        form.fields["reason"].required = True
        form.fields["reason"].error_messages["required"] = (
            "Give the reason for the correction: it is published beside the corrected text."
        )
    else:
        del form.fields["reason"]


class FindingForm(forms.Form):
    kind = forms.ChoiceField(choices=FindingKind.choices, widget=forms.RadioSelect)
    reference = forms.CharField(max_length=30, help_text="For example R1 or AFI12.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)
    text_cy = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20_000,
        required=False,
        label="Text in Welsh (optional)",
        help_text="Shown on the Welsh pages; without it they show the English, marked as such.",
    )
    cause_of_concern = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="The cause of concern it answers",
        empty_label="None",
        help_text="Recommendations only.",
    )
    addressees = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Addressed to",
    )
    other_addressees = forms.CharField(
        required=False,
        label="Another organisation",
        help_text="Its name, or several separated by ;. Exact names come first.",
    )
    deadline = forms.ChoiceField(
        choices=DEADLINE_CHOICES, widget=forms.RadioSelect, label="Deadline", initial=SET_LATER
    )
    due_date = forms.DateField(
        required=False, label="Due date", help_text="For example 2026-02-07."
    )
    deadline_wording = forms.CharField(
        max_length=300,
        required=False,
        label="The report's words for the deadline",
        help_text="For example: within six months.",
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Reason for the correction",
        help_text=CORRECTION_HINT,
    )

    def __init__(self, *args, inspection: Inspection, choices: OrganisationChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.choices = choices
        require_reason_once_published(self, inspection)
        self.fields["cause_of_concern"].queryset = inspection.causes_of_concern.order_by(
            "position", "pk"
        )
        offered = [*choices.inspected, *choices.policing_bodies]
        current = kwargs.get("initial", {}).get("addressees", [])
        offered += [org for org in current if org not in offered]
        self.offered = offered
        self.fields["addressees"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in offered]
        )
        self.fields["addressees"].choices = [(org.pk, org.name) for org in offered]

    def suggested_ids(self) -> set[int]:
        """The policing bodies of the inspected forces: suggested for a recommendation."""
        return {org.pk for org in self.choices.policing_bodies}

    def clean_other_addressees(self):
        found, errors = resolve_organisation_names(
            split_names(self.cleaned_data["other_addressees"]),
            self.choices.all,
            self.choices.inspected_ids,
        )
        if errors:
            raise ValidationError(errors)
        return found

    def clean(self):
        data = super().clean()
        chosen = list(data.get("addressees") or []) + [
            org
            for org in data.get("other_addressees") or []
            if org not in (data.get("addressees") or [])
        ]
        data["all_addressees"] = chosen
        if not self.errors.get("other_addressees") and not chosen:
            self.add_error(
                "addressees",
                "Choose at least one organisation: a finding is addressed to someone.",
            )
        if data.get("kind") != FindingKind.RECOMMENDATION and data.get("cause_of_concern"):
            self.add_error("cause_of_concern", "Only a recommendation answers a cause of concern.")
        deadline = data.get("deadline")
        if deadline == ON_DATE and not data.get("due_date"):
            self.add_error("due_date", "Give the due date, or choose another option.")
        if deadline != ON_DATE:
            data["due_date"] = None
        data["no_deadline"] = deadline == NO_DEADLINE
        return data


def cause_fingerprint(cause) -> str:
    """What the person saw of a cause of concern when the form was shown: a save is refused if
    someone changed it meanwhile (causes carry no version number either)."""
    parts = [cause.reference, cause.text]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class CauseForm(forms.Form):
    reference = forms.CharField(max_length=30, help_text="For example CoC1.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000)
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Reason for the correction",
        help_text=(
            "The report is published: this change is a correction. The reason is published "
            "beside it (“Corrected on <date>: <reason>”)."
        ),
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        require_reason_once_published(self, inspection)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Why",
        help_text="Kept in the report's history.",
    )


FIRST_SCHEDULE_REASON = "Scheduled in the report editor."


class ScheduleForm(forms.Form):
    """The moment the embargo lifts, in UK time, and why it was chosen or changed."""

    token = OneTimeTokenField()
    publish_on = forms.DateField(label="Publish on", help_text="For example 2025-08-07.")
    publish_time = forms.TimeField(
        label="At",
        initial="00:01",
        help_text="UK time, 24-hour clock. For example 00:01.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Why this moment",
        help_text="Kept in the report's history, with your name and the time. Needed to change "
        "a schedule; optional the first time.",
    )

    def __init__(self, *args, changing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.changing = changing

    def clean(self):
        data = super().clean()
        reason = (data.get("reason") or "").strip()
        if self.changing and not reason:
            self.add_error("reason", "Say why the moment changes: it is kept in the history.")
        data["reason"] = reason or FIRST_SCHEDULE_REASON
        if data.get("publish_on") and data.get("publish_time") is not None:
            data["published_at"] = timezone.make_aware(
                datetime.combine(data["publish_on"], data["publish_time"])
            )
        return data


class CancelScheduleForm(forms.Form):
    token = OneTimeTokenField()
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Why cancel",
        help_text="Kept in the report's history.",
    )


class ReportDetailsForm(forms.Form):
    """What the report says of itself, changed through ``inspection_update`` (logged; a
    correction with its reason once published), and, before publication, whom it inspected
    and with which inspectorates (``inspection_set_parties``)."""

    title = forms.CharField(max_length=300)
    programme = forms.ModelChoiceField(queryset=None, empty_label=None)
    fieldwork_started_on = forms.DateField(
        required=False, label="Fieldwork started on", help_text="For example 2025-02-03."
    )
    fieldwork_ended_on = forms.DateField(required=False, label="Fieldwork ended on")
    report_url = forms.URLField(max_length=500, required=False, label="Link to the report")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    figures = forms.CharField(
        label="Key figures",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=KEY_FIGURES_HELP,
    )
    # Optional Welsh versions, shown on the Welsh pages (README, "Welsh and English").
    title_cy = forms.CharField(max_length=300, required=False, label="Title in Welsh (optional)")
    summary_cy = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="Summary in Welsh (optional)",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        label="Reason for the correction",
        help_text=CORRECTION_HINT,
    )

    organisations = forms.CharField(
        label="Inspected organisations",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their names, one a line (or separated by ;).",
    )
    partner_inspectorates = forms.ModelMultipleChoiceField(
        queryset=Inspectorate.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Partner inspectorates",
        help_text="The other inspectorates of a joint inspection: their inspectors edit the "
        "draft too.",
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = policy.programmes_usable_by(user).order_by("name")
        require_reason_once_published(self, inspection)
        self.choices = None
        if inspection.is_published:
            # Part of the public record: see inspections.services.inspection_set_parties.
            del self.fields["organisations"]
            del self.fields["partner_inspectorates"]
        else:
            self.choices = OrganisationChoices()
            self.fields["partner_inspectorates"].queryset = Inspectorate.objects.exclude(
                pk=inspection.lead_inspectorate_id
            ).order_by("name")
            if not policy.can_publish_inspection(user, inspection):
                # Only the lead inspectorate names the inspectorates.
                del self.fields["partner_inspectorates"]

    def clean_organisations(self):
        return inspected_organisations(self.cleaned_data["organisations"], self.choices)

    def clean_figures(self):
        return clean_key_figures(self.cleaned_data["figures"])

    def clean(self):
        data = super().clean()
        start, end = data.get("fieldwork_started_on"), data.get("fieldwork_ended_on")
        if start and end and end < start:
            self.add_error("fieldwork_ended_on", "The fieldwork cannot end before it starts.")
        return data


class ReportSearchForm(forms.Form):
    """Find a report in the editor by words of its title, its slug or an inspected
    organisation's name: each word must match one of them."""

    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search reports",
        help_text="Words of the title, the web address (slug) or an inspected organisation.",
    )

    def filter(self, queryset):
        query = self.cleaned_data.get("q") or "" if self.is_valid() else ""
        words = re.findall(r"\w+", query)[:10]
        for word in words:
            inspected = Inspection.organisations.through.objects.filter(
                inspection_id=OuterRef("pk"), organisation__name__icontains=word
            )
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_cy__icontains=word)
                | Q(slug__icontains=word)
                | Exists(inspected)
            )
        return queryset
