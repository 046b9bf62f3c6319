"""A record's history as the pages show it: one row shape (`HistoryRow`) and one partial
(`cepa_collab/_history.html`) for deliverables, advisory requests and contributions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from cepa_collab.models import HistoryEntry


@dataclass(frozen=True)
class HistoryRow:
    """A line of a history as people read it: labels, not codes, in the reader's language."""

    at: datetime.datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    summary: str
    comment: str


def history_rows(entries: Iterable[HistoryEntry]) -> list[HistoryRow]:
    """The rows of `entries` (loaded with their actors and whatever their summaries name)."""
    actions: dict[str, str] = {}
    rows = []
    for entry in entries:
        if not actions:  # each label translated once
            field = type(entry)._meta.get_field("action")
            actions = {value: str(label) for value, label in field.flatchoices}
        rows.append(
            HistoryRow(
                at=entry.at,
                actor=entry.actor_name,
                action=actions.get(entry.action, entry.action),
                from_state=entry.from_label,
                to_state=entry.to_label,
                summary=entry.summary,
                comment=entry.comment,
            )
        )
    return rows
