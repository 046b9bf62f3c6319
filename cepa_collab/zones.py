"""Time zones as people pick them: the IANA zones grouped by area, for a select with
optgroups (no JavaScript needed; the browser's own type-ahead finds a zone in its group).
The meetings' zone and a person's own zone are chosen from the same list."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from functools import cache

from django.utils.translation import gettext_lazy as _

# Areas of the IANA database people pick a zone from (no legacy aliases).
ZONE_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@cache
def _zone_groups() -> tuple:
    by_area: dict[str, list[str]] = defaultdict(list)
    for name in zoneinfo.available_timezones():
        area = name.split("/", 1)[0]
        if area in ZONE_AREAS and "/" in name:
            by_area[area].append(name)
    groups = [("UTC", [("UTC", "UTC")])]
    for area in ZONE_AREAS:
        names = sorted(by_area[area])
        groups.append((area, [(name, name.replace("_", " ")) for name in names]))
    return tuple(groups)


def zone_choices(current: str | None = None) -> list:
    """The IANA zones grouped by area (select optgroups), with `current` kept if it is a
    legacy name (e.g. "US/Eastern") that the groups leave out."""
    groups = list(_zone_groups())
    known = {value for _area, options in groups for value, _label in options}
    if current and current not in known:
        groups.insert(0, (_("Current"), [(current, current)]))
    return groups
