"""Large imports as a background job, for ``manage.py db_worker`` to run.

The job's argument is the ``ImportJob``'s id; everything else (the stored upload, the plan
confirmed, who confirmed it) is on that row. Running it twice, or by two workers at once,
applies the import once (``imports.services.import_job_run``).
"""

from django.tasks import task

from imports.services import import_job_run


@task
def apply_import_job(job_id: int) -> dict:
    """Apply the import ``job_id`` if it still waits. Returns what it did."""
    job = import_job_run(job_id=job_id)
    if job is None:
        return {"job": job_id, "ran": False}
    return {
        "job": job_id,
        "ran": True,
        "status": job.status,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
    }
