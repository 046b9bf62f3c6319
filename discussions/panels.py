"""The threads on the workflow's pages (see `cepa_collab.panels`): the deliverable page shows
its own thread to the team and the review threads to the owner and the chief (to a
reviewer, their own); the review page shows the reviewer's thread."""

from discussions import queries
from discussions.views import ThreadBlock, thread_block
from workflows.panels import DELIVERABLE_PAGE, REVIEW_PAGE


@DELIVERABLE_PAGE.register
def deliverable_discussion(user, deliverable) -> dict:
    block = thread_block(user, queries.deliverable_thread(user, deliverable), back="deliverable")
    review_threads = list(queries.review_threads(user, deliverable))
    if block is None and not review_threads:
        return {"discussion": None}
    if block is None:  # a reviewer: their own review threads only
        block = ThreadBlock(thread=None, messages=[], form=None, url="")
    block.review_threads = review_threads
    return {"discussion": block}


@REVIEW_PAGE.register
def review_discussion(user, assignment) -> dict:
    return {
        "discussion": thread_block(user, queries.review_thread(user, assignment), back="review")
    }
