"""Run an import job inline for a management command, with a progress bar and a summary."""

import sys

from tqdm import tqdm

from references.models import ImportJob, ImportJobItem
from references.services.formatting import references_format_all_pending
from references.services.jobs import import_job_finish, import_job_run, outage_message
from references.sources.http import UpstreamUnavailable


def run_job_with_progress(job: ImportJob, *, stdout, stderr) -> ImportJob:
    bar = tqdm(
        total=job.total,
        initial=job.processed,
        desc=f"{job.get_kind_display()} job #{job.pk}",
        unit="item",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
    )

    def progress(current: ImportJob) -> None:
        bar.update(current.processed - bar.n)

    try:
        finished = import_job_run(job_id=job.pk, progress=progress)
    except UpstreamUnavailable as exc:
        finished = import_job_finish(job_id=job.pk, reason=outage_message(exc))
    finally:
        bar.close()
    if finished.created_count or finished.updated_count:
        # What a large job left unformatted (services.formatting), before the command ends.
        references_format_all_pending()
    for item in finished.items.filter(status=ImportJobItem.Status.FAILED).order_by("position"):
        stderr.write(item.summary)
    stdout.write(
        f"{finished.get_kind_display()} job #{finished.pk} {finished.get_status_display().lower()}:"
        f" {finished.created_count} created, {finished.updated_count} updated,"
        f" {finished.unchanged_count} unchanged, {finished.failed_count} failed"
    )
    return finished
