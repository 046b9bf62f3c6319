"""The one transition engine of every state machine (deliverables, advisory requests,
contributions).

Each tracked model declares its django-fsm-2 machine on a field named `state` (each
transition with its `permission=` and `conditions=`) and one `Machine`: the labels of its
transitions in page order and its messages. The services lock the row, then ask this
engine, which decides the same way for each of them and only through django-fsm's public
API:

- `available(obj, user, machine)`: what `user` may fire now (pages, API and admin offer
  exactly these);
- `check(obj, name, user, machine)`: raise `ValidationError` for an unknown transition,
  `ServiceConflict` when the current state does not allow it (someone moved it first),
  `PermissionDenied` when the person may not fire it, `ValidationError` naming
  `transition` when a condition is unmet (with the machine's message for it);
- `fire(obj, name)`: run it and stamp `state_changed_at` where the model has one;
  returns the state it left.

What a transition also changes (reasons, dates, who reviews) stays in the model's
service, which saves the row and writes the history line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from cepa_collab.exceptions import ServiceConflict

NOT_POSSIBLE_NOW = _("Not possible now.")


@dataclass(frozen=True)
class Machine:
    """One state machine's labels and messages.

    `conflict` and `forbidden` take `%(action)s` (and `conflict` `%(state)s`); they name
    the kind of record so that each reads naturally in every language. `unmet` says what
    a transition's condition lacks; `comment_required` names the transitions that need a
    comment (a reason), with what is said when it is missing.
    """

    labels: Mapping[str, Promise | str]
    conflict: Promise | str
    forbidden: Promise | str
    unmet: Mapping[str, Promise | str] = field(default_factory=dict)
    comment_required: Mapping[str, Promise | str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        return str(self.labels[name])

    def needs_comment(self, name: str) -> bool:
        return name in self.comment_required


def _transition(obj, name: str):
    """The django-fsm transition `name` from the object's current state, or None."""
    state = obj.state
    for transition in obj.get_all_state_transitions():
        if transition.name == name and transition.source in (state, "*", "+"):
            return transition
    return None


def may_fire(obj, name: str, user) -> bool:
    """The permission of transition `name` alone (not its conditions) for `user`."""
    transition = _transition(obj, name)
    return transition is not None and transition.has_perm(obj, user)


def available(obj, user, machine: Machine) -> list[str]:
    """Names of the transitions `user` may fire now (conditions met), in page order."""
    names = {t.name for t in obj.get_available_user_state_transitions(user)}
    return [name for name in machine.labels if name in names]


def check_name(name: str, machine: Machine) -> None:
    """Raise `ValidationError` naming `transition` unless the machine has `name`."""
    if name not in machine.labels:
        raise ValidationError({"transition": _("Unknown transition “%(name)s”.") % {"name": name}})


def check(obj, name: str, user, machine: Machine) -> None:
    """Raise unless `user` may fire `name` on `obj` (already locked) now."""
    check_name(name, machine)
    method = getattr(obj, name)
    label = machine.label(name)
    if not can_proceed(method, check_conditions=False):
        raise ServiceConflict(
            str(machine.conflict) % {"action": label, "state": obj.get_state_display().lower()}
        )
    if not may_fire(obj, name, user):
        raise PermissionDenied(str(machine.forbidden) % {"action": label})
    if not can_proceed(method):
        raise ValidationError({"transition": machine.unmet.get(name, NOT_POSSIBLE_NOW)})


def check_comment(name: str, comment: str, machine: Machine) -> None:
    """Raise `ValidationError` naming `comment` when transition `name` needs one."""
    if machine.needs_comment(name) and not comment.strip():
        raise ValidationError({"comment": machine.comment_required[name]})


def fire(obj, name: str) -> str:
    """Run transition `name` (checked first) and return the state it left."""
    from_state = obj.state
    getattr(obj, name)()
    if hasattr(obj, "state_changed_at"):
        obj.state_changed_at = timezone.now()
    return from_state
