from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CepaCollabConfig(AppConfig):
    name = "cepa_collab"
    verbose_name = _("Organisation")
