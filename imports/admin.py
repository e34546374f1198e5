"""The inspection admin's bulk import and export of findings (see ``imports.services``).

The admin of a report is registered by recommendations, which may not import this app: here
it is registered again, as a subclass with the import and export pages.

An upload is kept server-side until the inspector confirms its preview: the file is stored
under a random name, and the session remembers its name, its SHA-256, the inspection, the
user and the digest of the plan previewed. Confirming posts only the random token and that
digest; the stored file is read, checked against its hash and planned again inside the saving
transaction, and anything that differs from the preview is refused.

A file of more than ``IMPORT_BACKGROUND_ROWS`` rows is not applied by the confirming request:
confirming records an ``ImportJob`` and queues a background job (``imports.tasks``) that plans
the stored file again and applies it if it is still what was previewed, and the inspector is
sent to the job's status page, which refreshes itself until the job is done.
"""

import contextlib
import secrets
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_protect

from backoffice.admin import InspectionAdmin as RecommendationsInspectionAdmin
from core.errors import DomainError
from imports import services as importing
from imports.choices import ImportJobStatus
from imports.forms import FindingImportForm
from imports.models import ImportJob
from imports.tasks import apply_import_job
from inspections.models import Inspection
from recommendations import policy
from recommendations.models import CauseOfConcern, Finding

SESSION_KEY = "finding_imports"
STASH_DIR = "imports"
# Previews older than this are forgotten, and their stored files deleted.
STASH_LIFETIME = timedelta(hours=12)
# The upload of a failed background import stays this long after it failed, for the inspector
# to download, correct and upload again; then the sweep deletes it with the old previews.
FAILED_UPLOAD_LIFETIME = timedelta(days=30)
PENDING_PER_SESSION = 5
# The status page of a background import reloads itself this often until the job is done.
JOB_REFRESH_SECONDS = 5

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportSizeLimitHandler(FileUploadHandler):
    """Drops an uploaded file as soon as it passes the limit, so it never fills memory or disk;
    the rest of the request is read and thrown away."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


class ConfirmRefused(Exception):
    def __init__(self, message, *, plan=None, status=400):
        super().__init__(message)
        self.plan = plan
        self.status = status


class FindingImportAdminMixin:
    """Adds to the inspection admin: import findings (upload, preview, confirm), the template
    files and the export of an inspection's findings, in the same columns."""

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name

        def import_view(request, object_id):
            return self.import_findings_view(request, object_id)

        # The upload's size is limited by a handler set before the body is read, so the CSRF
        # check (which reads the body) runs inside the view rather than in the middleware.
        import_view.csrf_exempt = True
        wrap = self.admin_site.admin_view
        return [
            path(
                "import-findings/template.<str:fmt>",
                wrap(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            path(
                "<path:object_id>/import-findings/",
                wrap(import_view),
                name="{}_{}_import_findings".format(*info),
            ),
            path(
                "<path:object_id>/import-findings/jobs/<int:job_id>/",
                wrap(self.import_job_view),
                name="{}_{}_import_job".format(*info),
            ),
            path(
                "<path:object_id>/import-findings/jobs/<int:job_id>/upload",
                wrap(self.import_job_upload_view),
                name="{}_{}_import_job_upload".format(*info),
            ),
            path(
                "<path:object_id>/export-findings.<str:fmt>",
                wrap(self.export_findings_view),
                name="{}_{}_export_findings".format(*info),
            ),
            *super().get_urls(),
        ]

    # Permissions -----------------------------------------------------------------------------

    def _model_admin(self, model):
        return self.admin_site.get_model_admin(model)

    def can_import_findings(self, request, obj=None) -> bool:
        findings = self._model_admin(Finding)
        return (
            policy.can_edit_inspection(request.user, obj)
            and self.has_view_or_change_permission(request, obj)
            and findings.has_add_permission(request)
            and findings.has_change_permission(request)
        )

    def can_see_import_job(self, request, job) -> bool:
        """The inspector who confirmed the import, or whoever may import into the report."""
        return job.user_id == request.user.pk or self.can_import_findings(request, job.inspection)

    def can_export_findings(self, request, obj=None) -> bool:
        return self.has_view_or_change_permission(request, obj) and self._model_admin(
            Finding
        ).has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_findings": self.can_import_findings(request),
            "can_export_findings": self.can_export_findings(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _inspection(self, request, object_id) -> Inspection:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such inspection.")
        return obj

    # Template and export ---------------------------------------------------------------------

    def import_template_view(self, request, fmt):
        if fmt not in CONTENT_TYPES:
            raise Http404
        if not self.can_import_findings(request):
            raise PermissionDenied
        data = importing.template_csv() if fmt == "csv" else importing.template_xlsx()
        return _download(data, fmt, f"findings-import-template.{fmt}")

    def export_findings_view(self, request, object_id, fmt):
        if fmt not in CONTENT_TYPES:
            raise Http404
        inspection = self._inspection(request, object_id)
        if not self.can_export_findings(request, inspection):
            raise PermissionDenied
        if fmt == "csv":
            data = importing.export_csv(inspection)
        else:
            data = importing.export_xlsx(inspection)
        return _download(data, fmt, f"{inspection.slug}-findings.{fmt}")

    # Import ----------------------------------------------------------------------------------

    def import_findings_view(self, request, object_id):
        handler = ImportSizeLimitHandler(request, limit=importing.max_bytes())
        if request.method == "POST":
            request.upload_handlers.insert(0, handler)
        return csrf_protect(self._import_findings)(request, object_id, handler)

    def _import_findings(self, request, object_id, handler):
        inspection = self._inspection(request, object_id)
        if not self.can_import_findings(request, inspection):
            raise PermissionDenied
        if request.method != "POST":
            return self._render_import(request, inspection, FindingImportForm())
        if "_cancel" in request.POST:
            self._forget(request, request.POST.get("token", ""))
            messages.info(request, "The import was cancelled: nothing was saved.")
            return HttpResponseRedirect(self._change_url(inspection))
        if "_confirm" in request.POST:
            return self._confirm(request, inspection)
        return self._preview(request, inspection, handler)

    def _preview(self, request, inspection, handler):
        form = FindingImportForm(request.POST, request.FILES)
        if handler.too_large:
            # The handler dropped the file, so the form finds none: say why.
            form.is_valid()
            form.errors["file"] = form.error_class([importing.too_large_message()])
            return self._render_import(request, inspection, form, status=413)
        if not form.is_valid():
            return self._render_import(request, inspection, form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > importing.max_bytes():
            form.add_error("file", importing.too_large_message(upload.size))
            return self._render_import(request, inspection, form, status=413)
        data = upload.read()
        filename = upload.name[:200]
        plan = importing.read_and_plan(inspection=inspection, data=data, filename=filename)
        self._check_cause_permissions(request, plan)
        token = None
        if plan.is_valid:
            token = self._stash(request, inspection, data, plan)
        return self._render_import(
            request, inspection, FindingImportForm(), plan=plan, token=token, status=200
        )

    def _confirm(self, request, inspection):
        token = request.POST.get("token", "")
        pending = request.session.get(SESSION_KEY, {}).get(token)
        try:
            if (
                not token
                or pending is None
                or pending["inspection"] != inspection.pk
                or pending["user"] != request.user.pk
            ):
                raise ConfirmRefused(
                    "This preview is no longer valid: it expired, was already imported, or is "
                    "not this inspection's. Nothing was saved; upload the file again."
                )
            if request.POST.get("digest") != pending["digest"]:
                raise ConfirmRefused(
                    "The confirmation does not match the latest preview of this file. Nothing "
                    "was saved; check the preview and confirm again."
                )
            data = importing.read_stored_upload(pending["file"])
            if data is None or importing.file_sha256(data) != pending["sha256"]:
                self._forget(request, token)
                raise ConfirmRefused(
                    "The uploaded file kept for this preview is missing or has changed since "
                    "the preview. Nothing was saved; upload the file again."
                )
            if pending.get("rows", 0) > importing.background_rows():
                return self._queue(request, inspection, token, pending)
            with transaction.atomic():
                # One import of an inspection at a time; the plan is made again under the lock.
                locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
                plan = importing.read_and_plan(
                    inspection=locked, data=data, filename=pending["filename"]
                )
                self._check_cause_permissions(request, plan)
                if not plan.is_valid or plan.digest() != pending["digest"]:
                    raise ConfirmRefused(
                        "The findings of this inspection changed since the preview, so what the "
                        "import would do has changed too. Nothing was saved: check this new "
                        "preview and confirm again.",
                        plan=plan,
                        status=409,
                    )
                result = importing.apply_import(plan=plan, user=request.user)
        except ConfirmRefused as refusal:
            messages.error(request, str(refusal))
            plan, new_token = refusal.plan, None
            if plan is not None and plan.is_valid:
                pending["digest"] = plan.digest()
                request.session.modified = True
                new_token = token
            elif plan is not None:
                self._forget(request, token)
            return self._render_import(
                request,
                inspection,
                FindingImportForm(),
                plan=plan,
                token=new_token,
                status=refusal.status,
            )
        except (DomainError, IntegrityError) as error:
            messages.error(request, f"Nothing was imported: {error}")
            return self._render_import(request, inspection, FindingImportForm(), status=409)
        self._forget(request, token)
        messages.success(
            request,
            f"Imported {pending['filename']}: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged.",
        )
        return HttpResponseRedirect(self._change_url(inspection))

    def _queue(self, request, inspection, token, pending):
        """Record the import and queue its job; the job applies it (``imports.tasks``)."""
        with transaction.atomic():
            job, created = importing.import_job_queue(
                key=token,
                inspection=inspection,
                user=request.user,
                filename=pending["filename"],
                stored_file=pending["file"],
                sha256=pending["sha256"],
                digest=pending["digest"],
                rows=pending["rows"],
            )
            if created:
                # Queued in the same transaction: the job exists only if its row does.
                apply_import_job.enqueue(job.pk)
        # The preview is used up; its stored file now belongs to the job.
        waiting = request.session.get(SESSION_KEY, {})
        waiting.pop(token, None)
        request.session[SESSION_KEY] = waiting
        return HttpResponseRedirect(self._job_url(inspection, job))

    def _job_url(self, inspection, job):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job",
            args=[inspection.pk, job.pk],
        )

    def _import_job(self, request, object_id, job_id) -> ImportJob:
        """The job, through the report the person may see in the admin (404 otherwise), if
        they may follow it (403 otherwise)."""
        inspection = self._inspection(request, object_id)
        job = get_object_or_404(
            ImportJob.objects.filter(inspection=inspection).select_related("user"), pk=job_id
        )
        job.inspection = inspection
        if not self.can_see_import_job(request, job):
            raise PermissionDenied
        return job

    def import_job_view(self, request, object_id, job_id):
        """Where a background import stands; refreshes itself (no JavaScript) until done."""
        job = self._import_job(request, object_id, job_id)
        inspection = job.inspection
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import of %(file)s into “%(report)s”")
            % {"file": job.filename, "report": inspection},
            "subtitle": None,
            "opts": self.opts,
            "original": inspection,
            "inspection": inspection,
            "job": job,
            "refresh_seconds": JOB_REFRESH_SECONDS,
            "change_url": self._change_url(inspection),
            "import_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_findings",
                args=[inspection.pk],
            ),
            "upload_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_job_upload",
                args=[inspection.pk, job.pk],
            ),
            "upload_kept": job.status != ImportJobStatus.FINISHED and not failed_long_ago(job),
            "kept_until": (
                job.finished_at + FAILED_UPLOAD_LIFETIME
                if job.status == ImportJobStatus.FAILED and job.finished_at
                else None
            ),
            "kept_days": FAILED_UPLOAD_LIFETIME.days,
        }
        return TemplateResponse(request, "admin/inspections/inspection/import_job.html", context)

    def import_job_upload_view(self, request, object_id, job_id):
        """The file as uploaded, kept until the import has finished: a failed import loses
        nothing of it."""
        job = self._import_job(request, object_id, job_id)
        data = importing.read_stored_upload(job.stored_file) if job.stored_file else None
        if job.status == ImportJobStatus.FINISHED or failed_long_ago(job) or data is None:
            raise Http404("The uploaded file is no longer kept.")
        fmt = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
        return _download(data, fmt, _safe_filename(job.filename, fmt))

    def _check_cause_permissions(self, request, plan):
        causes = self._model_admin(CauseOfConcern)
        if plan.new_causes and not causes.has_add_permission(request):
            plan.problems.append(
                "The file creates causes of concern ("
                + ", ".join(plan.new_causes)
                + "), which you may not add."
            )
        if plan.cause_text_changes and not causes.has_change_permission(request):
            plan.problems.append(
                "The file changes the text of causes of concern ("
                + ", ".join(plan.cause_text_changes)
                + "), which you may not change."
            )

    # The stored upload -----------------------------------------------------------------------

    def _stash(self, request, inspection, data, plan) -> str:
        token = secrets.token_urlsafe(24)
        name = default_storage.save(f"{STASH_DIR}/{token}.upload", ContentFile(data))
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "inspection": inspection.pk,
            "user": request.user.pk,
            "file": name,
            "filename": plan.filename,
            "sha256": plan.sha256,
            "digest": plan.digest(),
            "rows": len(plan.rows),
            "at": timezone.now().isoformat(),
        }
        newest = sorted(pending, key=lambda key: pending[key]["at"], reverse=True)
        for old in newest[PENDING_PER_SESSION:]:
            _delete_stored(pending.pop(old)["file"])
        request.session[SESSION_KEY] = pending
        _delete_stale_stashes()
        return token

    def _forget(self, request, token):
        pending = request.session.get(SESSION_KEY, {})
        if token in pending:
            _delete_stored(pending.pop(token)["file"])
            request.session[SESSION_KEY] = pending

    # Pages -----------------------------------------------------------------------------------

    def _change_url(self, inspection):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[inspection.pk]
        )

    def _render_import(self, request, inspection, form, *, plan=None, token=None, status=200):
        info = self.opts.app_label, self.opts.model_name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import findings into “{inspection}”",
            "subtitle": None,
            "opts": self.opts,
            "original": inspection,
            "inspection": inspection,
            "form": form,
            "plan": plan,
            "counts": plan.counts if plan else None,
            "token": token,
            "digest": plan.digest() if plan is not None and token else "",
            "columns": importing.COLUMNS,
            "max_bytes": importing.max_bytes(),
            "max_rows": importing.max_rows(),
            "in_background": plan is not None and len(plan.rows) > importing.background_rows(),
            "change_url": self._change_url(inspection),
            "template_csv_url": reverse("admin:{}_{}_import_template".format(*info), args=["csv"]),
            "template_xlsx_url": reverse(
                "admin:{}_{}_import_template".format(*info), args=["xlsx"]
            ),
            "export_csv_url": reverse(
                "admin:{}_{}_export_findings".format(*info), args=[inspection.pk, "csv"]
            ),
            "export_xlsx_url": reverse(
                "admin:{}_{}_export_findings".format(*info), args=[inspection.pk, "xlsx"]
            ),
        }
        return TemplateResponse(
            request, "admin/inspections/inspection/import_findings.html", context, status=status
        )


def _download(data: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe_filename(name: str, fmt: str) -> str:
    """The uploaded file's own name, as a download's: letters, digits and a few signs."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_. ") else "_" for c in name).strip(
        " ."
    )
    if not stem.lower().endswith(f".{fmt}"):
        stem = f"{stem or 'import'}.{fmt}"
    return stem


def _delete_stored(name):
    with contextlib.suppress(OSError):
        default_storage.delete(name)


def failed_long_ago(job) -> bool:
    """Whether ``job`` failed longer ago than its upload is kept."""
    return (
        job.status == ImportJobStatus.FAILED
        and job.finished_at is not None
        and job.finished_at < timezone.now() - FAILED_UPLOAD_LIFETIME
    )


def _delete_stale_stashes():
    """Uploads previewed but never confirmed nor cancelled: forget them after a while."""
    try:
        _, names = default_storage.listdir(STASH_DIR)
    except (OSError, NotImplementedError):
        return
    cutoff = timezone.now() - STASH_LIFETIME
    stale = []
    for name in names:
        stored = f"{STASH_DIR}/{name}"
        try:
            if default_storage.get_modified_time(stored) < cutoff:
                stale.append(stored)
        except (OSError, NotImplementedError):
            continue
    if not stale:
        return
    # The uploads of background imports waiting or running are theirs, however old; those of
    # failed ones for FAILED_UPLOAD_LIFETIME.
    held = set(
        ImportJob.objects.filter(stored_file__in=stale)
        .exclude(status=ImportJobStatus.FINISHED)
        .exclude(
            status=ImportJobStatus.FAILED,
            finished_at__lt=timezone.now() - FAILED_UPLOAD_LIFETIME,
        )
        .values_list("stored_file", flat=True)
    )
    for stored in stale:
        if stored not in held:
            _delete_stored(stored)


class InspectionAdmin(FindingImportAdminMixin, RecommendationsInspectionAdmin):
    """A report's page in the admin (see backoffice/admin.py), with its findings' import
    and export."""


admin.site.unregister(Inspection)
admin.site.register(Inspection, InspectionAdmin)
