"""The steps of a record's state machine, for a step list (`.step-list`), from its
declaration alone: `{% load steps %}{% state_steps advisory_request history as steps %}`.

The main path is the states in the order their enum declares them, less the side exits:
final states (no transition leaves them) other than the last one declared (a declined
request). A side exit is drawn after the steps up to the state it was reached from. When
the record's history rows are given (`cepa_collab.history.HistoryRow`, their `to_state`
labels), a final state shows only the steps the record went through (a request closed
early skipped the rest).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

register = template.Library()

DONE = "done"
CURRENT = "current"
TODO = "todo"


@dataclass(frozen=True)
class Step:
    value: str
    label: str
    status: str  # DONE, CURRENT or TODO
    is_current: bool = False


def _transitions(obj, field) -> list[tuple[set[str], str]]:
    """(sources, target) of each transition of `field` on `obj`'s model."""
    found = []
    for transition in field.get_all_transitions(type(obj)):
        source = transition.source
        sources = set(source) if isinstance(source, list | tuple | set) else {source}
        found.append((sources, transition.target))
    return found


def steps_of(obj, history=None, field_name: str = "state") -> list[Step]:
    field = obj._meta.get_field(field_name)
    choices = [(str(value), str(label)) for value, label in field.choices]
    labels = dict(choices)
    order = [value for value, _label in choices]
    moves = _transitions(obj, field)
    leaving = set().union(*(sources for sources, _target in moves)) if moves else set()
    finals = {value for value in order if value not in leaving}
    exits = finals - {order[-1]}
    main = [value for value in order if value not in exits]
    current = str(getattr(obj, field_name))
    reached = {row.to_state for row in history or ()}
    went_through = {value for value in order if labels[value] in reached} | {order[0], current}

    if current in finals and history:
        path = [value for value in main if value in went_through]
    elif current in exits:
        sources = set().union(*(s for s, target in moves if target == current))
        last_source = max((main.index(s) for s in sources if s in main), default=0)
        path = main[: last_source + 1]
    else:
        path = main
    if current in exits:
        path = [*path, current]
    position = path.index(current) if current in path else len(path)
    steps = []
    for index, value in enumerate(path):
        if index < position or (index == position and current in finals):
            status = DONE
        elif index == position:
            status = CURRENT
        else:
            status = TODO
        steps.append(Step(value, labels[value], status, is_current=index == position))
    return steps


@register.simple_tag
def state_steps(obj, history=None, field_name: str = "state") -> list[Step]:
    return steps_of(obj, history, field_name)
