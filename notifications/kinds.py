"""The kinds of notification and of deadline, registered by the apps that own them.

Notifications stores a kind as a plain string; what the kind means — its label for the
pages, the admin and the API, and for a deadline where its entries come from, how a
reminder names the item, and its reminder policy's defaults — is said by the app that
owns it, in its own `notices` and `deadlines` modules:

    @notification_kinds
    class WorkflowNotice(models.TextChoices):
        REVIEW_ASSIGNED = "review_assigned", _("Reviews assigned to me")

    deadlines.register(WorkflowDeadline.REVIEW, entries=..., describe=...)

`NotificationsConfig.ready` imports every app's `notices` and `deadlines` modules, so a
new kind needs neither a change here nor a migration. This module imports no model, so
any module may import it.

Kinds are listed by app, notifications' own first, then in `INSTALLED_APPS` order, each
app's in the order it declares them (whatever order the modules happen to be imported in).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.apps import apps
from django.db import models

_sequence = itertools.count()


@dataclasses.dataclass(frozen=True)
class Kind:
    """A registered kind: its stored value and its label (lazy, translated when shown)."""

    value: str
    label: Any
    module: str = ""  # where it was declared: orders the kinds by app
    number: int = dataclasses.field(default_factory=lambda: next(_sequence), compare=False)

    def __str__(self) -> str:
        return self.value


@dataclasses.dataclass(frozen=True)
class DeadlineKind(Kind):
    """A kind of deadline. `entries()` lists every entry still owed (`deadlines.rebuild`);
    `describe(title)` is how a reminder names the item (the title itself by default);
    `policy` holds the `ReminderPolicy` field defaults of the kind (the model's otherwise)."""

    entries: Callable[[], Iterable[Any]] = tuple
    describe: Callable[[str], str] | None = None
    policy: Mapping[str, Any] = dataclasses.field(default_factory=dict)


MAX_LENGTH = 20  # the `kind` columns' length


class Registry:
    """Kinds by value; re-registering a value replaces it (a module imported twice)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._kinds: dict[str, Kind] = {}

    def __repr__(self) -> str:
        return f"<{self.name} kinds: {', '.join(self.values())}>"

    def add(self, kind: Kind) -> Kind:
        if not kind.value or len(kind.value) > MAX_LENGTH:
            raise ValueError(f"A kind's value has 1 to {MAX_LENGTH} characters: {kind.value!r}")
        previous = self._kinds.get(kind.value)
        if previous is not None and previous.module != kind.module:
            raise ValueError(
                f"{self.name} kind {kind.value!r} is declared by {previous.module} already"
            )
        if previous is not None:  # declared again by its module: it keeps its place
            kind = dataclasses.replace(kind, number=previous.number)
        self._kinds[kind.value] = kind
        return kind

    def remove(self, value: str) -> None:
        self._kinds.pop(value, None)

    def __contains__(self, value: object) -> bool:
        return value in self._kinds

    def __getitem__(self, value: str) -> Kind:
        return self._kinds[value]

    def get(self, value: str) -> Kind | None:
        return self._kinds.get(value)

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._kinds.values(), key=_order))

    def values(self) -> list[str]:
        return [kind.value for kind in self]

    def choices(self) -> list[tuple[str, Any]]:
        return [(kind.value, kind.label) for kind in self]

    def label(self, value: str) -> str:
        """The kind's label in the active language (the value itself if unknown)."""
        kind = self._kinds.get(value)
        return str(kind.label) if kind is not None else value


def _order(kind: Kind) -> tuple[int, int]:
    return (_app_rank(kind.module), kind.number)


def _app_rank(module: str) -> int:
    """Notifications' own kinds first, then by the declaring app's place in INSTALLED_APPS
    (kinds declared outside an app, or before the apps are loaded, last)."""
    if module.startswith("notifications."):
        return -1
    if not apps.apps_ready:
        return len(_RANKS) + 1000
    if not _RANKS:
        _RANKS.update({config.name: rank for rank, config in enumerate(apps.get_app_configs())})
    config = apps.get_containing_app_config(module)
    return _RANKS.get(config.name, len(_RANKS)) if config is not None else len(_RANKS)


_RANKS: dict[str, int] = {}


NOTIFICATION_KINDS = Registry("notification")
DEADLINE_KINDS = Registry("deadline")


def notification_kinds(choices: type[models.TextChoices]) -> type[models.TextChoices]:
    """Register every member of a TextChoices as a kind of notification (a class decorator)."""
    for member in choices:
        NOTIFICATION_KINDS.add(Kind(member.value, member.label, module=choices.__module__))
    return choices


def deadline_kind(
    kind: models.TextChoices,
    *,
    entries: Callable[[], Iterable[Any]],
    describe: Callable[[str], str] | None = None,
    policy: Mapping[str, Any] | None = None,
    module: str | None = None,
) -> DeadlineKind:
    """Register a kind of deadline from a TextChoices member (its value and label)."""
    return DEADLINE_KINDS.add(
        DeadlineKind(
            kind.value,
            kind.label,
            module=module or type(kind).__module__,
            entries=entries,
            describe=describe,
            policy=dict(policy or {}),
        )
    )


def notification_choices() -> list[tuple[str, Any]]:
    """The registered kinds of notification as choices: the API schema names their enum
    `NotificationKindEnum` (`SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`, read when the
    first schema is made, once every app has registered its kinds)."""
    return NOTIFICATION_KINDS.choices()
