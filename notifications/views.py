"""Pages of the notification centre (built out by the notification-centre work)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def notification_list(request):
    raise Http404


mark_read = mark_all_read = preferences = notification_list


def unsubscribe(request, token):
    raise Http404
