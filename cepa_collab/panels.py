"""Panels: what an app higher up adds to a lower app's page, API or record.

A lower app never imports a higher one (see `tests/core/test_layering.py`). Where one of
its pages shows what a higher app knows about its records (the deliverable page shows the
advisory requests and contributions it draws on), the lower app declares a `Panels`
(`workflows.panels.DELIVERABLE_PAGE`) and the higher app registers a provider into it, in
its own `panels` module. `CepaCollabConfig.ready` imports every app's `panels` module once
the models are loaded (Django's autodiscovery, as for `admin` modules), so the lower app
names nobody above it and an app that is not installed adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Provider = Callable[[Any, Any], Any]


class Panels:
    """Providers `provider(user, obj)`, in the order they were registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[Provider] = []

    def __repr__(self) -> str:
        return f"<Panels {self.name}: {len(self._providers)}>"

    def register(self, provider: Provider) -> Provider:
        """Add `provider` (once; usable as a decorator)."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def context(self, user, obj) -> dict:
        """The template context every provider adds (each returns a dict)."""
        merged: dict = {}
        for provider in self._providers:
            merged.update(provider(user, obj))
        return merged

    def chain(self, user, obj) -> list:
        """The records every provider lists (each returns an iterable), one list."""
        return [item for provider in self._providers for item in provider(user, obj)]


@dataclass(frozen=True)
class Section:
    """A section an app higher up adds to a lower app's page: its anchor (`key`), heading,
    template and the template's context."""

    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)


# The person's own account page (`cepa_collab.profile_views.account`): each provider
# `(user, request) -> list[Section]` adds its sections (notifications: how each kind reaches
# the person; workflows: a CEPA member's reviewer profile).
ACCOUNT_PAGE = Panels("account page")
