"""Email alerts for the public: subscribe (double opt-in), confirm, unsubscribe, and the digest
of what changed in what each subscription follows.

Every link in an email carries a token signed with the site's secret (``django.core.signing``):
the confirmation link expires with the unconfirmed address (``UNCONFIRMED_KEEP``); the
unsubscribe link lasts as long as the subscription. Only what the public may see is ever sent:
every query goes through the models' ``published(at=...)`` scopes, at a moment never later
than now, so an embargoed report, and anything of it, never reaches an inbox.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.cache import caches
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from alerts.choices import (
    MAX_LISTED_PER_SECTION,
    MAX_QUERY_LENGTH,
    PER_ADDRESS_LIMIT,
    PER_ADDRESS_WINDOW,
    PER_IP_LIMIT,
    PER_IP_WINDOW,
    UNCONFIRMED_KEEP,
    ChangeKind,
    Frequency,
    Scope,
)
from alerts.models import AlertDigest, Subscription
from core.choices import Language
from core.errors import DomainError
from core.tasks import send_mail_later
from inspections.models import Inspection, Organisation
from recommendations.filters import FindingItemFilterSet
from recommendations.models import DueDateChange, Item, ProgressUpdate, StatusChange

logger = logging.getLogger(__name__)

CONFIRM_SALT = "alerts.confirm"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# Keys of the browse page's query string that say how to show results, not which: not stored.
PRESENTATION_KEYS = frozenset({"page", "sort"})


class RateLimited(DomainError):
    """Too many subscription requests for one address, or from one network address."""


class InvalidLink(DomainError):
    """A confirmation or unsubscribe link that was altered, has expired or is spent."""


# Following a search -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a subscription follows, checked: an organisation, a published inspection or a
    search (its query string put in order), and how to say it in a sentence."""

    scope: str
    organisation: Organisation | None = None
    inspection: Inspection | None = None
    query: str = ""
    description: str = ""

    def url(self) -> str:
        if self.scope == Scope.ORGANISATION:
            return reverse("public:organisation-detail", args=[self.organisation.slug])
        if self.scope == Scope.INSPECTION:
            return reverse("public:inspection-detail", args=[self.inspection.slug])
        return reverse("public:finding-list") + (f"?{self.query}" if self.query else "")


def search_target(query: str) -> Target:
    """Check a browse query string through the browse page's own filters and put it in a
    canonical order. Raise ``DomainError`` saying what is wrong with it.

    Unknown keys and the page and sort order are dropped; an inspection named in it must be
    published (an embargoed one is refused exactly as an unknown one).
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise DomainError(
            gettext("This search is too long to follow: at most %(count)s characters.")
            % {"count": MAX_QUERY_LENGTH}
        )
    data = QueryDict(query.lstrip("?"))
    filterset = FindingItemFilterSet(data, queryset=Item.objects.published())
    kept = QueryDict(mutable=True)
    for key in sorted(data):
        if key in filterset.filters and key not in PRESENTATION_KEYS:
            values = [value.strip() for value in data.getlist(key) if value.strip()]
            if values:
                kept.setlist(key, sorted(set(values)))
    filterset = FindingItemFilterSet(kept, queryset=Item.objects.published())
    if not filterset.form.is_valid():
        problems = "; ".join(
            f"{filterset.form.fields[name].label}: {' '.join(errors)}"
            for name, errors in filterset.form.errors.items()
        )
        raise DomainError(
            gettext("This search cannot be followed. %(problems)s") % {"problems": problems}
        )
    cleaned = filterset.form.cleaned_data
    inspection = None
    if cleaned.get("inspection"):
        inspection = Inspection.objects.published().filter(slug=cleaned["inspection"]).first()
        if inspection is None:
            raise DomainError(
                gettext("This search cannot be followed: it names no published inspection.")
            )
    return Target(
        scope=Scope.SEARCH,
        query=kept.urlencode(),
        inspection=None,
        description=describe_search(filterset, inspection),
    )


def describe_search(filterset, inspection) -> str:
    """E.g. "findings matching “custody”, Organisation: Metropolitan Police Service"."""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []) or name in PRESENTATION_KEYS:
            continue
        field_ = filterset.form.fields[name]
        if name == "q":
            parts.append(gettext("words “%(words)s”") % {"words": value})
        elif name == "inspection":
            parts.append(
                gettext("Inspection: %(title)s") % {"title": _in_language(inspection, "title")}
            )
        elif isinstance(value, list):
            labels = dict(field_.choices)
            parts.append(f"{field_.label}: " + ", ".join(str(labels.get(v, v)) for v in value))
        elif hasattr(field_, "choices") and not hasattr(value, "pk"):
            parts.append(f"{field_.label}: {dict(field_.choices).get(value, value)}")
        elif isinstance(value, date):
            parts.append(f"{field_.label}: {_day(value)}")
        else:
            parts.append(f"{field_.label}: {value}")
    if not parts:
        return gettext("every published finding")
    return gettext("findings with %(filters)s") % {"filters": "; ".join(parts)}


def _in_language(obj, field: str) -> str:
    """A title or text in the active language: the Welsh version (``field_cy``) when the
    language is Welsh and there is one, otherwise the English."""
    if translation.get_language() == Language.WELSH:
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return welsh
    return getattr(obj, field)


def organisation_target(slug: str) -> Target | None:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        return None
    return Target(
        scope=Scope.ORGANISATION,
        organisation=organisation,
        description=organisation.display_name,
    )


def inspection_target(slug: str) -> Target | None:
    """A published inspection; an embargoed one is unknown, as on its page."""
    inspection = Inspection.objects.published().filter(slug=slug).first()
    if inspection is None:
        return None
    return Target(
        scope=Scope.INSPECTION,
        inspection=inspection,
        description=_in_language(inspection, "title"),
    )


def subscription_target(subscription: Subscription) -> Target:
    """The target of a stored subscription, described in the active language."""
    if subscription.scope == Scope.ORGANISATION:
        org = subscription.organisation
        return Target(scope=Scope.ORGANISATION, organisation=org, description=org.display_name)
    if subscription.scope == Scope.INSPECTION:
        inspection = subscription.inspection
        return Target(
            scope=Scope.INSPECTION,
            inspection=inspection,
            description=_in_language(inspection, "title"),
        )
    try:
        return search_target(subscription.query)
    except DomainError:
        # A filter option may have gone since (a programme renamed): the search still runs
        # with what is left valid; it is described by its address.
        return Target(
            scope=Scope.SEARCH, query=subscription.query, description=gettext("your search")
        )


# Links --------------------------------------------------------------------------------------


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk}, salt=CONFIRM_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT)


def confirm_url(subscription: Subscription) -> str:
    return _link(reverse("alerts:confirm", args=[confirm_token(subscription)]))


def unsubscribe_url(subscription: Subscription) -> str:
    return _link(reverse("alerts:unsubscribe", args=[unsubscribe_token(subscription)]))


def _subscription_from(token: str, *, salt: str, max_age=None) -> Subscription | None:
    """The subscription a token names; ``InvalidLink`` if it was altered or has expired; None
    if the subscription is gone."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(
            ngettext(
                "This link has expired. Ask for the emails again and use the new link within "
                "%(days)s day.",
                "This link has expired. Ask for the emails again and use the new link within "
                "%(days)s days.",
                UNCONFIRMED_KEEP.days,
            )
            % {"days": UNCONFIRMED_KEEP.days}
        ) from None
    except signing.BadSignature:
        raise InvalidLink(
            gettext("This link is not right: copy the whole link from the email.")
        ) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise InvalidLink(gettext("This link is not right: copy the whole link from the email."))
    return Subscription.objects.filter(pk=payload["s"]).first()


def subscription_for_confirmation(token: str) -> Subscription:
    subscription = _subscription_from(token, salt=CONFIRM_SALT, max_age=UNCONFIRMED_KEEP)
    if subscription is None:
        raise InvalidLink(gettext("This link has expired. Ask for the emails again."))
    return subscription


def subscription_for_unsubscribe(token: str) -> Subscription | None:
    """None when it is already gone: unsubscribing twice is not an error."""
    return _subscription_from(token, salt=UNSUBSCRIBE_SALT)


# Subscribing --------------------------------------------------------------------------------


def _count_request(key: str, *, limit: int, window: timedelta) -> bool:
    """Count one request under ``key`` in the shared cache (one for every worker); False once
    more than ``limit`` were made within ``window`` of the first."""
    cache = caches["shared"]
    seconds = int(window.total_seconds())
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        # Expired between add and incr: a new window starts.
        cache.set(key, 1, timeout=seconds)
        return True
    return count <= limit


def _check_rate(*, email: str, client_ip: str) -> None:
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    if client_ip and not _count_request(
        f"alerts:ip:{client_ip}", limit=PER_IP_LIMIT, window=PER_IP_WINDOW
    ):
        raise RateLimited(
            gettext(
                "Too many requests for emails have come from your network in the last hour. "
                "Try again later."
            )
        )
    if not _count_request(
        f"alerts:email:{digest}", limit=PER_ADDRESS_LIMIT, window=PER_ADDRESS_WINDOW
    ):
        raise RateLimited(
            gettext(
                "We have already sent several emails to this address today. Check your inbox "
                "(and spam folder) for the link, or try again tomorrow."
            )
        )


def _send(message) -> None:
    # A background job sends it (core/tasks.py); the job commits with the subscription.
    send_mail_later(message)


def _message(*, subject, template, context, to, unsubscribe=None) -> EmailMultiAlternatives:
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    # RFC 3834: tells mail servers not to send out-of-office replies to the tracker.
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        # RFC 2369 and RFC 8058: mail clients offer an unsubscribe button that POSTs to it.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"alerts/email/{template}.txt", context),
        to=[to],
        headers=headers,
    )
    html = render_to_string(f"alerts/email/{template}.html", context)
    message.attach_alternative(html, "text/html")
    return message


def subscription_request(
    *,
    email: str,
    target: Target,
    frequency: str,
    client_ip: str = "",
    language: str = Language.ENGLISH,
) -> Subscription:
    """Ask for emails about ``target``: record the address unconfirmed and send it a link to
    confirm, or, if it already confirmed this, a note saying so (with the unsubscribe link).

    Rate-limited per address and per network address (``RateLimited``). Nothing is sent
    about the target until the link is used.
    """
    email = BaseUserManager.normalize_email(email.strip())
    Frequency(frequency)
    _check_rate(email=email, client_ip=client_ip)
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            email=email,
            scope=target.scope,
            organisation=target.organisation,
            inspection=target.inspection,
            query=target.query,
            defaults={"frequency": frequency, "language": Language(language)},
        )
        already = subscription.is_confirmed
        if not created and subscription.language != language:
            # The emails follow the language the person asked in last.
            subscription.language = Language(language)
            subscription.save(update_fields=["language"])
        if not created and not already and subscription.frequency != frequency:
            subscription.frequency = frequency
            subscription.save(update_fields=["frequency"])
        context = {
            "subscription": subscription,
            "target": target,
            "target_url": _link(target.url()),
            "confirm_url": confirm_url(subscription),
            "unsubscribe_url": unsubscribe_url(subscription),
            "keep_days": UNCONFIRMED_KEEP.days,
        }
        with translation.override(subscription.language):
            message = _confirmation_message(subscription, context, already=already)
        # In the transaction: the email is queued only if the address is recorded.
        _send(message)
    return subscription


def _confirmation_message(subscription, context, *, already) -> EmailMultiAlternatives:
    """The link to confirm, or the note that the address already gets these emails, in the
    language active when called (the subscription's)."""
    if already:
        return _message(
            subject=gettext("You already get emails about this"),
            template="already",
            context=context,
            to=subscription.email,
            unsubscribe=context["unsubscribe_url"],
        )
    return _message(
        subject=gettext("Confirm you want emails from the Inspection Recommendations Tracker"),
        template="confirm",
        context=context,
        to=subscription.email,
    )


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """Start the emails. Changes from now on are sent; what happened before is on the pages."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not locked.is_confirmed:
        now = timezone.now()
        locked.confirmed_at = now
        locked.covered_until = now
        locked.save(update_fields=["confirmed_at", "covered_until"])
    return locked


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    """Unsubscribe: the address and its digests' records are deleted."""
    Subscription.objects.filter(pk=subscription.pk).delete()


def alerts_cleanup(*, now: datetime | None = None) -> int:
    """Delete the addresses never confirmed within ``UNCONFIRMED_KEEP``; return how many."""
    cutoff = (now or timezone.now()) - UNCONFIRMED_KEEP
    _, by_model = Subscription.objects.unconfirmed().filter(created_at__lt=cutoff).delete()
    return by_model.get(Subscription._meta.label, 0)


# The digest ---------------------------------------------------------------------------------


@dataclass
class Change:
    kind: str
    at: datetime
    heading: str
    details: list[str]
    url: str


@dataclass
class SubscriptionDigest:
    subscription: Subscription
    target: Target
    period_start: date
    since: datetime
    until: datetime
    changes: dict[str, list[Change]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(changes) for changes in self.changes.values())

    @property
    def subject(self) -> str:
        return (
            ngettext("%(count)s change: %(what)s", "%(count)s changes: %(what)s", self.count)
            % {"count": self.count, "what": self.target.description}
        )[:200]

    def sections(self) -> list[dict]:
        return [
            {
                "heading": ChangeKind(kind).label,
                "count": len(self.changes[kind]),
                "changes": self.changes[kind][:MAX_LISTED_PER_SECTION],
                "more": max(0, len(self.changes[kind]) - MAX_LISTED_PER_SECTION),
            }
            for kind in ChangeKind.values
            if self.changes.get(kind)
        ]


def period_start(frequency: str, day: date) -> date:
    """The day a digest is for, or the Monday of its week."""
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    return day


def digest_moment(day: date) -> datetime:
    """The end of ``day``, but never beyond now: a run for a later day must not see a report
    whose embargo has not yet lifted."""
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return min(timezone.now(), end_of_day)


def followed_items(target: Target, *, at: datetime):
    """The published items a target follows, as the public pages show them at ``at``."""
    items = Item.objects.published(at=at)
    if target.scope == Scope.ORGANISATION:
        return items.filter(organisation_id__in=target.organisation.lineage_ids())
    if target.scope == Scope.INSPECTION:
        return items.filter(finding__inspection=target.inspection)
    filterset = FindingItemFilterSet(QueryDict(target.query), queryset=items)
    # Only the filters that are valid apply, as on the browse page.
    filterset.cleaned_data()
    return filterset.qs.order_by()


def _day(value: date) -> str:
    """A date as "7 August 2026" ("7 Awst 2026"), the month in the active language."""
    return date_format(value, "j F Y")


def _item_heading(item: Item) -> str:
    return gettext("%(reference)s for %(organisation)s, %(inspection)s") % {
        "reference": item.finding.reference,
        "organisation": item.organisation.display_name,
        "inspection": _in_language(item.finding.inspection, "title"),
    }


def _finding_link(item: Item) -> str:
    return _link(reverse("public:finding-detail", args=[item.finding_id]))


def _new_reports(target, item_ids, *, since, at) -> list[Change]:
    reports = Inspection.objects.published(at=at).unpublished(at=since)
    if target.scope == Scope.ORGANISATION:
        lineage = target.organisation.lineage_ids()
        reports = reports.filter(organisations__in=lineage) | reports.filter(
            pk__in=Item.objects.filter(organisation_id__in=lineage).values("finding__inspection_id")
        )
    else:
        reports = reports.filter(
            pk__in=Item.objects.filter(pk__in=item_ids).values("finding__inspection_id")
        )
    return [
        Change(
            kind=ChangeKind.REPORT,
            at=report.published_at,
            heading=_in_language(report, "title"),
            details=[
                gettext("Published on %(date)s")
                % {"date": _day(timezone.localdate(report.published_at))},
                gettext("Programme: %(name)s") % {"name": report.programme.name},
            ],
            url=_link(reverse("public:inspection-detail", args=[report.slug])),
        )
        for report in reports.distinct().select_related("programme").order_by("published_at")
    ]


def _status_changes(item_ids, *, since, at) -> list[Change]:
    changes = (
        StatusChange.objects.published(at=at)
        .filter(item__in=item_ids, changed_at__gt=since, changed_at__lte=at)
        .select_related("item__finding__inspection", "item__organisation")
        .order_by("changed_at", "pk")
    )
    return [
        Change(
            kind=ChangeKind.STATUS,
            at=change.changed_at,
            heading=_item_heading(change.item),
            details=[
                gettext("%(from)s to %(to)s, on %(date)s")
                % {
                    "from": change.get_from_status_display(),
                    "to": change.get_to_status_display(),
                    "date": _day(timezone.localdate(change.changed_at)),
                },
                *([gettext("Note: %(note)s") % {"note": change.note}] if change.note else []),
            ],
            url=_finding_link(change.item),
        )
        for change in changes
    ]


def _due_date_changes(item_ids, *, since, at) -> list[Change]:
    changes = (
        DueDateChange.objects.published(at=at)
        .filter(item__in=item_ids, changed_at__gt=since, changed_at__lte=at)
        .select_related(
            "item__finding__inspection", "item__organisation", "changed_by__inspectorate"
        )
        .order_by("changed_at", "pk")
    )
    return [
        Change(
            kind=ChangeKind.DUE_DATE,
            at=change.changed_at,
            heading=_item_heading(change.item),
            details=[
                gettext("%(what)s, %(who)s.") % {"what": change.description, "who": change.who},
                gettext("Reason: %(reason)s") % {"reason": change.reason},
            ],
            url=_finding_link(change.item),
        )
        for change in changes
    ]


def _progress_updates(item_ids, *, since, at) -> list[Change]:
    # Published on creation (progress_update_add): the creation time says when it became public.
    # A withdrawn update is left out: its text must not travel further.
    updates = (
        ProgressUpdate.objects.published(at=at)
        .filter(
            item__in=item_ids, created_at__gt=since, created_at__lte=at, withdrawn_at__isnull=True
        )
        .select_related("item__finding__inspection", "item__organisation")
        .order_by("created_at", "pk")
    )
    return [
        Change(
            kind=ChangeKind.UPDATE,
            at=update.created_at,
            heading=_item_heading(update.item),
            details=[
                gettext(
                    "Written on %(date)s; the organisation says: %(assessment)s "
                    "(self-reported, not verified)"
                )
                % {
                    "date": _day(update.written_on),
                    "assessment": update.get_self_assessment_display().lower(),
                },
                update.narrative if len(update.narrative) <= 500 else update.narrative[:500] + "…",
            ],
            url=_finding_link(update.item),
        )
        for update in updates
    ]


def digest_select(subscription: Subscription, *, day: date, at: datetime) -> SubscriptionDigest:
    """What changed, in public, in what the subscription follows since its last digest, put in
    words in the subscription's language.

    Queries: 1 the search's filter options (a search only), 2 new reports, 3 status changes,
    4 due date changes, 5 progress updates; the items followed are a subquery of each.
    """
    with translation.override(subscription.language):
        return _digest_select(subscription, day=day, at=at)


def _digest_select(subscription: Subscription, *, day: date, at: datetime) -> SubscriptionDigest:
    target = subscription_target(subscription)
    since = subscription.covered_until or subscription.confirmed_at
    digest = SubscriptionDigest(
        subscription=subscription,
        target=target,
        period_start=period_start(subscription.frequency, day),
        since=since,
        until=at,
    )
    if since >= at:
        return digest
    item_ids = followed_items(target, at=at).values("pk")
    for kind, found in (
        (ChangeKind.REPORT, _new_reports(target, item_ids, since=since, at=at)),
        (ChangeKind.STATUS, _status_changes(item_ids, since=since, at=at)),
        (ChangeKind.DUE_DATE, _due_date_changes(item_ids, since=since, at=at)),
        (ChangeKind.UPDATE, _progress_updates(item_ids, since=since, at=at)),
    ):
        if found:
            digest.changes[kind] = found
    return digest


def digest_message(digest: SubscriptionDigest) -> EmailMultiAlternatives:
    """The digest in the subscription's language."""
    with translation.override(digest.subscription.language):
        return _digest_message(digest)


def _digest_message(digest: SubscriptionDigest) -> EmailMultiAlternatives:
    subscription = digest.subscription
    unsubscribe = unsubscribe_url(subscription)
    return _message(
        subject=digest.subject,
        template="digest",
        context={
            "digest": digest,
            "target": digest.target,
            "target_url": _link(digest.target.url()),
            "sections": digest.sections(),
            "since": _day(timezone.localdate(digest.since)),
            "weekly": subscription.frequency == Frequency.WEEKLY,
            "unsubscribe_url": unsubscribe,
        },
        to=subscription.email,
        unsubscribe=unsubscribe,
    )


class DigestNotSent(Exception):
    """The mail backend accepted nothing; the digest is not recorded, so it is tried again."""


@dataclass
class AlertSendReport:
    day: date
    dry_run: bool
    deleted_unconfirmed: int = 0
    emailed: list[SubscriptionDigest] = field(default_factory=list)
    nothing_new: int = 0
    already_sent: int = 0
    failed: list[tuple[Subscription, str]] = field(default_factory=list)


def alerts_send(*, day: date | None = None, dry_run: bool = False) -> AlertSendReport:
    """Email each confirmed subscription its digest for ``day`` (default today): one per day,
    or one per week for a weekly one, and none when nothing changed. First delete the
    addresses never confirmed in time.

    A digest's ``AlertDigest`` row, the move of the subscription's ``covered_until`` and the
    send share one transaction: a send that fails rolls both back and the next run tries again;
    a second run finds the row (or is stopped by the unique constraint) and sends nothing.
    """
    day = day or timezone.localdate()
    at = digest_moment(day)
    report = AlertSendReport(day=day, dry_run=dry_run)
    if not dry_run:
        report.deleted_unconfirmed = alerts_cleanup()
    periods = {day, period_start(Frequency.WEEKLY, day)}
    sent = set(
        AlertDigest.objects.filter(period_start__in=periods).values_list(
            "subscription_id", "period_start"
        )
    )
    subscriptions = Subscription.objects.confirmed().select_related("organisation", "inspection")
    with mailers.default as connection:
        for subscription in subscriptions.order_by("pk"):
            if (subscription.pk, period_start(subscription.frequency, day)) in sent:
                report.already_sent += 1
                continue
            digest = digest_select(subscription, day=day, at=at)
            if not digest.count:
                report.nothing_new += 1
                continue
            if dry_run:
                report.emailed.append(digest)
                continue
            _send_digest(digest, connection, report)
    return report


def _send_digest(digest: SubscriptionDigest, connection, report: AlertSendReport) -> None:
    message = digest_message(digest)
    subscription = digest.subscription
    try:
        with transaction.atomic():
            AlertDigest.objects.create(
                subscription=subscription,
                period_start=digest.period_start,
                sent_at=timezone.now(),
                covered_from=digest.since,
                covered_until=digest.until,
                change_count=digest.count,
            )
            Subscription.objects.filter(pk=subscription.pk).update(covered_until=digest.until)
            if connection.send_messages([message]) != 1:
                raise DigestNotSent("The mail backend did not accept the message.")
    except IntegrityError:
        # Another run sent this digest a moment ago.
        report.already_sent += 1
    except Exception as error:
        logger.exception("Alert digest for subscription %s not sent", subscription.pk)
        report.failed.append((subscription, str(error) or error.__class__.__name__))
    else:
        report.emailed.append(digest)
