"""Rules of input that every app shares, written once: the services, the pages' forms, the
API's serializers and the admin all ask these.

- A due date set or moved is never in the past (`check_due_date`); moving one earlier stays
  possible, with the reason the moving operation asks for.
- A wall-clock time read in a time zone must name one instant (`wall_clock_to_aware`): a
  time the clocks skip (a daylight-saving gap) or pass twice (a fold) is an error of its
  field.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def earliest_due_date() -> datetime.date:
    """The earliest due date that may be set today (the site's calendar day)."""
    return timezone.localdate()


def check_due_date(value: datetime.date | None, *, field: str = "due_date") -> None:
    """Raise a ValidationError on `field` when a due date being set or moved is in the past.
    None passes: whether a date is required is the caller's rule."""
    if value is not None and value < earliest_due_date():
        raise ValidationError(
            {field: _("The due date is in the past.")},
            code="past_due_date",
        )


def wall_clock_to_aware(
    value: datetime.datetime, zone_name: str, *, field: str
) -> datetime.datetime:
    """`value` read as a wall-clock time in `zone_name`, as an aware date-time. An aware value
    (given with its UTC offset) names its instant already and is returned as it is. A time
    that does not exist in the zone, or exists twice, is a ValidationError on `field`."""
    if timezone.is_aware(value):
        return value
    zone = zoneinfo.ZoneInfo(zone_name)
    earlier = value.replace(tzinfo=zone, fold=0)
    later = value.replace(tzinfo=zone, fold=1)
    if earlier.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise ValidationError(
            {
                field: _("This time does not exist in %(zone)s (the clocks change then).")
                % {"zone": zone_name}
            },
            code="nonexistent_time",
        )
    if earlier.utcoffset() != later.utcoffset():
        raise ValidationError(
            {
                field: _(
                    "This time happens twice in %(zone)s (the clocks go back then): choose "
                    "a time just before or after."
                )
                % {"zone": zone_name}
            },
            code="ambiguous_time",
        )
    return earlier
