"""One rule book per kind of object: who may do what, in which state, and what they are
told when they may not — each written once, in the app's `rules.py`.

A `Rule` pairs a predicate over the person (`who(obj, user)`) with a predicate over the
object's state (`when(obj)`), and each with its one message. Everyone asks the same rule:

- the service enforces it: `rules.DELIVERABLE.upload_version.require(deliverable, actor)`
  raises `PermissionDenied` with the rule's message when the person may not, and (by
  default) `ServiceConflict` when the object is not in a state that allows it;
- pages, the API, the admin and the navigation ask it what to offer: `rule(obj, user)` is
  true exactly when the service would accept (good input aside); `rule.permits(obj, user)`
  asks about the person alone (a page answers 403 before it shows a form);
- templates ask through a `Can` (`book.can(obj, user)`): `{% if can.upload_version %}`;
  a `Can` also answers for the transitions of the object's state machine
  (`{% if can.approve %}`), through the one transition engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise

from cepa_collab import transitions
from cepa_collab.exceptions import ServiceConflict

Message = Promise | str


@dataclass(frozen=True)
class Decision:
    """The answer of a rule: allowed, or the error to raise and its message (naming
    `field` for a `ValidationError` about one field)."""

    allowed: bool
    error: type[Exception] | None = None
    message: str = ""
    field: str | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Raise the denial (PermissionDenied, ServiceConflict, …) unless allowed."""
        if not self.allowed and self.error is not None:
            raise self.error({self.field: self.message} if self.field else self.message)


ALLOWED = Decision(True)


def _always(_obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class Condition:
    """A further state the object must be in for a rule, and what is said when it is not
    (`%(state)s` is the object's state, or a function of the object writes the message);
    `field` names the field of a `ValidationError`."""

    test: Callable[[Any], bool]
    message: Message | Callable[[Any], str]
    error: type[Exception] = ServiceConflict
    field: str | None = None


@dataclass(frozen=True)
class Rule:
    """Who may do an action (`who(obj, user)`, else `PermissionDenied(denied)`), and in
    which state of the object (`when(obj)`, else `conflict(not_now)`; then each of `also`).

    `not_now` may name the object's current state as `%(state)s` (its label, lower case).
    `state_first` reports the state before the person, as a state machine does (the
    object moved on since the page was shown: say so, whoever asks).
    """

    who: Callable[[Any, Any], bool]
    denied: Message
    when: Callable[[Any], bool] = _always
    not_now: Message = ""
    conflict: type[Exception] = ServiceConflict
    also: tuple[Condition, ...] = ()
    state_first: bool = False

    def conditions(self) -> tuple[Condition, ...]:
        return (Condition(self.when, self.not_now, self.conflict), *self.also)

    def permits(self, obj, user) -> bool:
        """The person alone: may `user` ever do this to `obj` (whatever its state)?"""
        return bool(getattr(user, "is_authenticated", False)) and bool(self.who(obj, user))

    def in_state(self, obj) -> bool:
        """The state alone: does `obj` allow this now (whoever asks)?"""
        return self._refused_state(obj) is None

    def _refused_person(self) -> Decision:
        return Decision(False, PermissionDenied, str(self.denied))

    def _refused_state(self, obj) -> Decision | None:
        for condition in self.conditions():
            if not condition.test(obj):
                message = _say(condition.message, obj)
                return Decision(False, condition.error, message, condition.field)
        return None

    def decide(self, obj, user) -> Decision:
        if self.state_first:
            refused = self._refused_state(obj)
            if refused is not None:
                return refused
        if not self.permits(obj, user):
            return self._refused_person()
        refused = self._refused_state(obj)
        return ALLOWED if refused is None else refused

    def __call__(self, obj, user) -> bool:
        return bool(self.decide(obj, user))

    def require(self, obj, user) -> None:
        """Raise with the rule's message unless `user` may do this to `obj` now."""
        self.decide(obj, user).require()

    def require_person(self, obj, user) -> None:
        """Raise `PermissionDenied` with the rule's message unless the person may."""
        if not self.permits(obj, user):
            self._refused_person().require()


def _say(message: Message | Callable[[Any], str], obj) -> str:
    if callable(message):
        return message(obj)
    state = obj.get_state_display().lower() if hasattr(obj, "get_state_display") else ""
    return str(message) % {"state": state}


class UnknownAction(LookupError):
    """A `Can` was asked about an action its rule book does not have (a typo in a
    template fails loudly instead of hiding a button)."""


class RuleBook:
    """The rules of one kind of object, by name: `DELIVERABLE.upload_version`.

    With `machine`, the book also answers for the transitions of the object's state
    machine (their rules are declared on the model and run by `cepa_collab.transitions`).
    """

    def __init__(self, *, machine: transitions.Machine | None = None, **rules: Rule):
        self._rules = dict(rules)
        self.machine = machine

    def __getattr__(self, name: str) -> Rule:
        try:
            return self.__dict__["_rules"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __contains__(self, name: str) -> bool:
        return name in self._rules

    def actions(self) -> list[str]:
        """Every action of the book: its rules, then its transitions in page order."""
        names = list(self._rules)
        if self.machine is not None:
            names += [name for name in self.machine.labels if name not in self._rules]
        return names

    def can(self, obj, user) -> Can:
        return Can(self, obj, user)


class Can:
    """What `user` may do to `obj` now, asked by name (`can.upload_version`,
    `can["approve"]` in a template); each answer is decided once."""

    def __init__(self, book: RuleBook, obj, user):
        self._book = book
        self._obj = obj
        self._user = user
        self._answers: dict[str, bool] = {}
        self._available: frozenset[str] | None = None

    def _transitions(self) -> frozenset[str]:
        if self._available is None:
            machine = self._book.machine
            self._available = (
                frozenset(transitions.available(self._obj, self._user, machine))
                if machine is not None and getattr(self._user, "is_authenticated", False)
                else frozenset()
            )
        return self._available

    def __getitem__(self, name: str) -> bool:
        if name not in self._answers:
            if name in self._book:
                self._answers[name] = getattr(self._book, name)(self._obj, self._user)
            elif self._book.machine is not None and name in self._book.machine.labels:
                self._answers[name] = name in self._transitions()
            else:
                raise UnknownAction(name)
        return self._answers[name]

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def offered(self, names: Iterable[str] | None = None) -> list[str]:
        """The actions allowed now, in the book's order."""
        return [name for name in (names or self._book.actions()) if self[name]]
