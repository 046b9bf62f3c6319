"""What apps above workflows add to its pages (see `cepa_collab.panels`)."""

from cepa_collab.panels import Panels

# The deliverable page: each provider `(user, deliverable) -> dict` adds template context
# (the advisory request a plan of action comes from, the knowledge value chain's links).
DELIVERABLE_PAGE = Panels("deliverable page")
