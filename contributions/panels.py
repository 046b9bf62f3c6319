"""What apps above contributions add to its pages and API (see `cepa_collab.panels`)."""

from cepa_collab.panels import Panels

# The records that cite a contribution: each provider `(user, contribution)` lists those
# the user may see (the author sees them all), as objects with `deliverable`,
# `deliverable_id` and `note` (the knowledge value chain's links).
CITED_BY = Panels("records citing a contribution")
