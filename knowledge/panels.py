"""The knowledge value chain on the lower apps' pages: the deliverable page lists what it
draws on, the request page the deliverables it informed, the contribution page and API the
deliverables citing it (see `cepa_collab.panels`)."""

from advisory.panels import REQUEST_PAGE
from contributions.panels import CITED_BY
from knowledge import queries, rules
from workflows.panels import DELIVERABLE_PAGE


@DELIVERABLE_PAGE.register
def deliverable_chain(user, deliverable) -> dict:
    links = queries.deliverable_links(user, deliverable)
    return {
        "knowledge_links": links,
        "incorporated": queries.incorporated_contributions(
            user, deliverable, besides=[link.contribution_id for link in links]
        ),
        "can_link": rules.LINK.create(deliverable, user),
    }


@REQUEST_PAGE.register
def request_chain(user, request) -> dict:
    return {"knowledge_links": queries.request_links(user, request)}


CITED_BY.register(queries.citing_links)
