from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Each app declares its kinds of deadline in its `deadlines` module and its kinds of
        # notification in its `notices` module; importing them registers them here (as
        # Django's admin discovers `admin` modules), so notifications names no app above it.
        autodiscover_modules("deadlines", "notices")
