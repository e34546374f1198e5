"""Who may see and do what: every access rule of the tracker, and the querysets that go with it.

Every door asks here: the public pages, the portal, the workspace, the API, the admin, the
reminders, the exports and the feeds. None of them repeats a rule. What the *public* may see
is each model's ``published()`` scope (the only code that compares a publication time); what
a signed-in person may see or do beyond that is decided below.

The roles:
- an **administrator** (superuser) may do anything an inspector may, for every report;
- an **inspector** belongs to an inspectorate. They see every published item, and the
  unpublished reports their inspectorate leads or joins. They edit and decide only on reports
  their inspectorate leads or joins; only the lead inspectorate publishes;
- a **member** of an organisation sees the published items addressed to it (and to the bodies
  it succeeded) and reports progress on them; a **lead** of the organisation also submits for
  closure and publishes its section 55 responses;
- everyone else sees the public pages only.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from inspections.choices import OrganisationKind
from inspections.models import Inspection, Inspectorate, Organisation, Programme
from recommendations.choices import CLOSED_STATUSES, TRANSITIONS, Status
from recommendations.models import (
    EvidenceFile,
    FactualAccuracyCheck,
    FactualAccuracyComment,
    Finding,
    Item,
    ProgressUpdate,
    Section55Response,
    Theme,
)


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_administrator(user) -> bool:
    return _signed_in(user) and user.is_superuser


def is_inspector(user) -> bool:
    """Inspectors review and decide; administrators may do whatever inspectors do."""
    return _signed_in(user) and user.is_inspector


def is_organisation_user(user) -> bool:
    return _signed_in(user) and user.is_organisation_user


# Inspections (reports) -------------------------------------------------------------------


def inspections_editable_by(user) -> QuerySet[Inspection]:
    """Reports the person may edit, publish (if lead) and decide on: those their
    inspectorate leads or joins. Administrators: all."""
    if is_administrator(user):
        return Inspection.objects.all()
    if not _signed_in(user) or user.inspectorate_id is None:
        return Inspection.objects.none()
    return inspections_of_inspectorates([user.inspectorate_id])


def inspections_of_inspectorates(inspectorate_ids) -> QuerySet[Inspection]:
    """Reports led or joined by any of these inspectorates: those their inspectors edit and
    decide on. The bulk form of ``inspections_editable_by``, for the reminders."""
    theirs = Inspection.objects.filter(
        Q(lead_inspectorate_id__in=inspectorate_ids) | Q(partner_inspectorates__in=inspectorate_ids)
    ).values("pk")
    return Inspection.objects.filter(pk__in=theirs)


def inspectorates_deciding(inspection) -> set[int]:
    """The inspectorates whose inspectors may decide on the report's items: the lead and every
    partner (reads a prefetched ``partner_inspectorates``)."""
    return {
        inspection.lead_inspectorate_id,
        *(p.pk for p in inspection.partner_inspectorates.all()),
    }


def inspections_publishable_by(user) -> QuerySet[Inspection]:
    """Only the lead inspectorate publishes (or schedules) its report."""
    if is_administrator(user):
        return Inspection.objects.all()
    if not _signed_in(user) or user.inspectorate_id is None:
        return Inspection.objects.none()
    return Inspection.objects.filter(lead_inspectorate_id=user.inspectorate_id)


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """The public's reports, and the unpublished ones the person may edit."""
    public = Inspection.objects.published()
    if not is_inspector(user):
        return public
    if is_administrator(user):
        return Inspection.objects.all()
    return Inspection.objects.filter(
        Q(pk__in=public.values("pk")) | Q(pk__in=inspections_editable_by(user).values("pk"))
    )


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes of the reports the person may see: the public's, and an inspector's own
    unpublished ones. A programme used only by another inspectorate's embargoed report
    would tell of it."""
    return Programme.objects.filter(
        Exists(inspections_visible_to(user).filter(programme=OuterRef("pk")))
    )


def programmes_usable_by(user) -> QuerySet[Programme]:
    """The programmes the person may see and choose in the admin: those of the reports they may
    see, and those no report uses yet (a new programme, for the report about to be created).
    One used only by another inspectorate's embargoed report is not theirs to see.
    Administrators: all."""
    if is_administrator(user):
        return Programme.objects.all()
    return Programme.objects.filter(
        Q(Exists(inspections_visible_to(user).filter(programme=OuterRef("pk"))))
        | ~Q(Exists(Inspection.objects.filter(programme=OuterRef("pk"))))
    )


def themes_visible_to(user) -> QuerySet[Theme]:
    """Themes of the findings the person may see: the public's, and those of the unpublished
    reports they may edit. Administrators: all."""
    if is_administrator(user):
        return Theme.objects.all()
    return Theme.objects.filter(Exists(findings_visible_to(user).filter(themes=OuterRef("pk"))))


def themes_usable_by(user) -> QuerySet[Theme]:
    """The themes the person may see and choose in the admin: ``themes_visible_to``, and those
    no finding uses yet (a new theme, for the findings about to be written)."""
    if is_administrator(user):
        return Theme.objects.all()
    return Theme.objects.filter(
        Q(pk__in=themes_visible_to(user).values("pk"))
        | ~Q(Exists(Finding.objects.filter(themes=OuterRef("pk"))))
    )


def can_edit_inspection(user, inspection) -> bool:
    if inspection is None or inspection.pk is None or is_administrator(user):
        return is_inspector(user)
    return inspections_editable_by(user).filter(pk=inspection.pk).exists()


def can_publish_inspection(user, inspection) -> bool:
    """``inspections_publishable_by`` for one report, without a query (the admin asks it while
    building each change form)."""
    if is_administrator(user):
        return True
    return is_inspector(user) and inspection.lead_inspectorate_id == user.inspectorate_id


def drafts_editable_by(user) -> QuerySet[Inspection]:
    """The unpublished reports the person writes in the report editor (``/workspace/reports/``):
    those their inspectorate leads or joins (administrators: all), scheduled or not. The same
    people, and no one else, see the draft's preview as the public will see it; anyone else
    gets a 404, as for a report that does not exist."""
    if not is_inspector(user):
        return Inspection.objects.none()
    return inspections_editable_by(user).unpublished()


def reports_in_editor(user) -> QuerySet[Inspection]:
    """The reports the person opens in the report editor: their drafts
    (``drafts_editable_by``) and, once published, the same reports for corrections, which
    the services log and the public pages show with their reason."""
    if not is_inspector(user):
        return Inspection.objects.none()
    return inspections_editable_by(user)


def can_schedule_publication(user, inspection) -> bool:
    """Scheduling, changing or cancelling a draft's publication: the lead inspectorate only
    (``can_publish_inspection``), and only before it is published."""
    return not inspection.is_published and can_publish_inspection(user, inspection)


# Items: one addressee's tracking of a finding ----------------------------------------------


def _members_lineage(user, *, lead: bool) -> set[int]:
    """The person's organisations (those they lead, with ``lead``) and the bodies those
    succeeded. The walk is remembered on the user object, as its memberships are: one page asks
    several rules (the portal's item page asks three)."""
    if "_member_lineages" not in user.__dict__:
        user._member_lineages = Organisation.objects.lineages(user.organisation_ids())
    chosen = user.lead_organisation_ids() if lead else user.organisation_ids()
    return set().union(*(user._member_lineages[pk] for pk in chosen))


def items_of_members(user, *, lead: bool = False) -> QuerySet[Item]:
    """Published items of the person's organisations (only those they lead, with ``lead``),
    including what was addressed to the bodies those organisations succeeded."""
    if not _signed_in(user):
        return Item.objects.none()
    return Item.objects.published().filter(organisation_id__in=_members_lineage(user, lead=lead))


def items_decidable_by(user) -> QuerySet[Item]:
    """Items an inspector may decide on: those of reports their inspectorate led or joined."""
    if is_administrator(user):
        return Item.objects.all()
    if not is_inspector(user):
        return Item.objects.none()
    return items_decidable_by_inspectorates([user.inspectorate_id])


def items_decidable_by_inspectorates(inspectorate_ids) -> QuerySet[Item]:
    """Items the inspectors of any of these inspectorates may decide on (the reminders ask
    this for everyone at once; ``items_decidable_by`` asks it for one person)."""
    return Item.objects.filter(
        finding__inspection__in=inspections_of_inspectorates(inspectorate_ids).values("pk")
    )


def items_visible_to(user) -> QuerySet[Item]:
    """What a signed-in person may see beyond the public pages.

    Inspectors see every published item and the unpublished items of reports their
    inspectorate led or joined; administrators see everything; an organisation's people see the
    published items addressed to their organisations (and to the bodies those succeeded).
    """
    if is_administrator(user):
        return Item.objects.all()
    if is_inspector(user):
        return Item.objects.filter(
            Q(pk__in=Item.objects.published().values("pk"))
            | Q(pk__in=items_decidable_by(user).values("pk"))
        )
    return items_of_members(user)


def items_updatable_by(user) -> QuerySet[Item]:
    """Items the person may add progress updates to or ask a new due date for."""
    return items_of_members(user)


def items_submittable_by(user) -> QuerySet[Item]:
    """Items the person may submit for closure: those of the organisations they lead."""
    return items_of_members(user, lead=True)


def can_decide(user, item) -> bool:
    return items_decidable_by(user).filter(pk=item.pk).exists()


def can_update(user, item) -> bool:
    """One of the person's organisations' items, and not closed (a closed item takes no more
    progress updates; ``progress_update_add`` refuses them whichever door they come through)."""
    return item.is_active and items_updatable_by(user).filter(pk=item.pk).exists()


def can_submit(user, item) -> bool:
    """A lead of the addressee, and the item's status allows a submission."""
    return item.is_submittable and items_submittable_by(user).filter(pk=item.pk).exists()


def inspectorate_moves(status) -> frozenset[Status]:
    """The status moves an inspector makes on an item, in the workspace and the admin alike:
    close it (as complete only once it is submitted: there must be something to verify),
    return a submission, reopen a closed item. Starting work and submitting for closure are
    the organisation's own moves, made on its pages (``can_update``, ``can_submit``): an
    inspector making them would publish them as "Self-reported by the organisation"."""
    status = Status(status)
    if status in CLOSED_STATUSES:
        return frozenset({Status.IN_PROGRESS})
    if status == Status.SUBMITTED:
        return frozenset({Status.IN_PROGRESS, *CLOSED_STATUSES})
    return frozenset(CLOSED_STATUSES - {Status.CLOSED_COMPLETE}) & TRANSITIONS[status]


def evidence_visible_to(user) -> QuerySet[EvidenceFile]:
    """Evidence is never public: the addressee's people and the inspectors who see the item.
    The evidence of a withdrawn update is kept for inspectors only."""
    evidence = EvidenceFile.objects.filter(update__item__in=items_visible_to(user).values("pk"))
    if not can_see_withdrawn(user):
        evidence = evidence.filter(update__withdrawn_at__isnull=True)
    return evidence


# What was published stays published -------------------------------------------------------


def can_withdraw_update(user, update) -> bool:
    """Withdrawing a published update (for a legal reason) is for inspectors of the report's
    inspectorates and administrators; the organisation corrects instead."""
    return items_decidable_by(user).filter(pk=update.item_id).exists()


def can_correct_update(user, update) -> bool:
    """A published update is corrected by its addressee's people, as they wrote it."""
    return items_updatable_by(user).filter(pk=update.item_id).exists()


def updates_correctable_by(user) -> QuerySet[ProgressUpdate]:
    """The updates the person may correct now (``can_correct_update``, for every update at
    once): the published, not withdrawn updates of the items they report on."""
    return ProgressUpdate.objects.published().filter(
        item__in=items_updatable_by(user).values("pk"), withdrawn_at__isnull=True
    )


def updates_withdrawable_by(user) -> QuerySet[ProgressUpdate]:
    """The updates the person may withdraw now (``can_withdraw_update``, for every update at
    once): the published, not withdrawn updates of the items they decide on."""
    return ProgressUpdate.objects.published().filter(
        item__in=items_decidable_by(user).values("pk"), withdrawn_at__isnull=True
    )


def can_see_withdrawn(user) -> bool:
    """The text and evidence of a withdrawn update stay visible to inspectors only."""
    return is_inspector(user)


# Section 55 responses and Engage ------------------------------------------------------------


def section55_responses_of(user, *, lead: bool = False) -> QuerySet[Section55Response]:
    """Responses of published reports due from the person's policing bodies (those they lead,
    with ``lead``: only leads publish)."""
    if not _signed_in(user):
        return Section55Response.objects.none()
    chosen = user.lead_organisation_ids() if lead else user.organisation_ids()
    return Section55Response.objects.filter(
        local_policing_body_id__in=chosen,
        local_policing_body__kind=OrganisationKind.LOCAL_POLICING_BODY,
    ).published()


def can_record_engage(user) -> bool:
    """Engage is the inspectorate's own monitoring: a permission given in the admin (to
    HMICFRS inspectors), not something every inspector of a partner body may do."""
    return is_inspector(user) and user.has_perm("inspections.change_engageperiod")


# The admin: rows that belong to a report ---------------------------------------------------
#
# In the admin an inspector works only on the reports their inspectorate leads or joins (the
# published reports of other inspectorates they read on the public pages); administrators on
# everything. Every row that belongs to a report is scoped through its report.


def of_editable_reports(user, queryset: QuerySet, path: str = "inspection") -> QuerySet:
    """``queryset`` kept to the rows whose report (reached through ``path``) the person may
    edit: the admin's scope of findings, items, updates, history and responses."""
    if is_administrator(user):
        return queryset
    return queryset.filter(**{f"{path}__in": inspections_editable_by(user).values("pk")})


def findings_visible_to(user):
    """Findings of the reports the person may see: every published one, and the unpublished
    ones of reports they may edit (what an item may be closed as superseded by)."""
    return Finding.objects.filter(inspection__in=inspections_visible_to(user).values("pk"))


def can_supersede_with(user, finding) -> bool:
    """Whether the person may close an item as superseded by ``finding``: a published finding,
    or one of a report they may edit. An embargoed report's findings are never named to anyone
    else, nor can they be probed by trying references. ``user`` None is the tracker itself (a
    command), which names its findings directly."""
    if user is None or finding.inspection.is_published:
        return True
    return can_edit_inspection(user, finding.inspection)


def can_change_progress_update_in_admin(user, update) -> bool:
    """Nobody, administrators included: a published update (and its evidence) is part of the
    public record, and an unpublished one is its organisation's draft, changed only on the
    organisation's own pages. Nor does the admin add one: an update is the organisation's own
    voice, written on its portal pages or through the API."""
    return False


def can_read_action_log(user) -> bool:
    """The site-wide action log names every report, embargoed ones included: administrators
    only. Everyone else reads an object's log on its own (scoped) history page."""
    return is_administrator(user)


def can_manage_users(user) -> bool:
    """Accounts carry the roles every rule above reads (an inspectorate, memberships, staff
    and superuser flags): only administrators give or change them, whatever Django model
    permissions a staff member holds, or an inspector could make themselves another
    inspectorate's."""
    return is_administrator(user)


def can_manage_api_tokens(user) -> bool:
    """Tokens are their owners' (``api/token_views.py``); only administrators see everyone's,
    to revoke one that leaked."""
    return is_administrator(user)


def can_manage_reference_data(user) -> bool:
    """Inspectorates, organisations (their successions and governance), programmes and themes
    are shared by every report and decide what other rules read (a succession gives a body
    its predecessor's items; an inspectorate's flags say where section 55 applies): only
    administrators add, change or delete them, whatever Django model permissions a staff
    member holds. Inspectors still see them, as scoped."""
    return is_administrator(user)


def report_rows_deletable(inspection) -> bool:
    """A report and its findings and causes may be deleted only before publication: what was
    published stays on the record."""
    return inspection is None or not inspection.is_published


def inspectorates_leadable_by(user):
    """Who may be named as the lead of a report the person creates: their own inspectorate
    (administrators: any). The lead alone publishes, so no one hands a report to another."""
    if is_administrator(user):
        return Inspectorate.objects.all()
    if not is_inspector(user):
        return Inspectorate.objects.none()
    return Inspectorate.objects.filter(pk=user.inspectorate_id)


# The factual-accuracy check: the draft shared with the inspected bodies -----------------------
#
# Nothing of a check is ever public. The lead inspectorate opens and closes it, on a report not
# yet published; the leads of the inspected organisations (not their other members, not the
# bodies the report only addresses) read the draft and comment while it is open; inspectors
# of the lead and partner inspectorates answer each comment.


def can_open_factual_accuracy_check(user, inspection) -> bool:
    """Only the lead inspectorate shares its draft, and only before publication."""
    return not inspection.is_published and can_publish_inspection(user, inspection)


def can_close_factual_accuracy_check(user, check) -> bool:
    return check.closed_at is None and can_publish_inspection(user, check.inspection)


def factual_accuracy_checks_answerable_by(user) -> QuerySet[FactualAccuracyCheck]:
    """The checks whose comments the person may read and answer: those of the reports their
    inspectorate leads or joins (administrators: all)."""
    if not is_inspector(user):
        return FactualAccuracyCheck.objects.none()
    return FactualAccuracyCheck.objects.filter(
        inspection__in=inspections_editable_by(user).values("pk")
    )


def factual_accuracy_checks_of_leads(user) -> QuerySet[FactualAccuracyCheck]:
    """The checks of the reports on an organisation the person leads: the draft they read and
    comment on. Only the inspected organisations themselves, not their successors or the
    bodies a finding is addressed to: the draft is shared with those inspected."""
    if not _signed_in(user) or not user.lead_organisation_ids():
        return FactualAccuracyCheck.objects.none()
    inspected = Inspection.organisations.through.objects.filter(
        inspection_id=OuterRef("inspection_id"),
        organisation_id__in=user.lead_organisation_ids(),
    )
    return FactualAccuracyCheck.objects.filter(Exists(inspected))


def factual_accuracy_commenting_organisations(user, check) -> list[Organisation]:
    """The inspected organisations the person may comment for on this check (those they lead),
    or none when the check takes no comments (closed, past its day, or the report published)."""
    if not _signed_in(user) or not check.takes_comments() or check.inspection.is_published:
        return []
    return list(
        check.inspection.organisations.filter(pk__in=user.lead_organisation_ids()).order_by("name")
    )


def can_comment_on_factual_accuracy_check(user, check, organisation) -> bool:
    return organisation in factual_accuracy_commenting_organisations(user, check)


def can_answer_factual_accuracy_comment(user, comment: FactualAccuracyComment) -> bool:
    return factual_accuracy_checks_answerable_by(user).filter(pk=comment.accuracy_check_id).exists()
