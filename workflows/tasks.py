"""Thin Celery tasks of the workflows app (beat runs them; see `CELERY_BEAT_SCHEDULE`)."""

from celery import shared_task

from workflows import comparison, services, texts

_TASK = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(name="workflows.request_decisions", **_TASK)
def request_decisions() -> int:
    """Beat, hourly: tell the chiefs of the deliverables whose missing reviews are past due
    that they can decide (once per round)."""
    return services.request_decisions()


@shared_task(name="workflows.extract_version_text", **_TASK)
def extract_version_text(*, version_id: int) -> None:
    """After an upload: read and store the version's text (bounded, in a child process)."""
    texts.read_text(version_id)


@shared_task(name="workflows.read_missing_texts", **_TASK)
def read_missing_texts() -> int:
    """Beat: read the versions uploaded before texts were read, or whose task was lost."""
    return texts.read_missing()


@shared_task(name="workflows.compare_versions", **_TASK)
def compare_versions(*, comparison_id: int) -> None:
    """Compute and store a comparison of two versions once both texts are read."""
    comparison.compute(comparison_id)
