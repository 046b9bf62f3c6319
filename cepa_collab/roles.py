"""Roles are Django groups carrying model permissions.

`ROLE_PERMISSIONS` is the single declaration of what each role may do at model
level; object permissions (django-guardian) are granted to people by the
services of later issues. Migrations call `sync_roles` so the groups exist and
carry exactly these permissions after `migrate`; a migration that adds models
appends to the table and calls it again.
"""

from __future__ import annotations

import logging

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from cepa_collab.enums import Role

logger = logging.getLogger(__name__)

_ORG_VIEW = [
    "cepa_collab.view_branch",
    "cepa_collab.view_region",
    "cepa_collab.view_memberstate",
]

# Model-level permissions of the workflow; which rows a person sees is decided per
# object (workflows.queries), never by these alone.
_WORKFLOW_VIEW = [
    f"workflows.view_{model}"
    for model in (
        "product",
        "deliverable",
        "version",
        "reviewround",
        "reviewassignment",
        "review",
        "deliverablehistory",
        "reviewerprofile",
        "awayperiod",
    )
]
_WORKFLOW_EDIT = [
    "workflows.add_product",
    "workflows.change_product",
    "workflows.add_deliverable",
    "workflows.change_deliverable",
    "workflows.add_version",
    "workflows.add_reviewassignment",
]

_MEETINGS_VIEW = [f"meetings.view_{model}" for model in ("meeting", "participant", "agendaitem")]
_MEETINGS_EDIT = [
    f"meetings.{action}_{model}"
    for model in ("meeting", "participant", "agendaitem")
    for action in ("add", "change")
]

_COOPERATION_VIEW = [
    *(f"advisory.view_{m}" for m in ("advisoryrequest", "requestdocument", "milestone", "comment")),
    "contributions.view_contribution",
    "contributions.view_attachment",
    "knowledge.view_knowledgelink",
]
_COOPERATION_EDIT = [
    *(
        f"advisory.{action}_{m}"
        for m in ("advisoryrequest", "requestdocument", "milestone", "comment")
        for action in ("add", "change")
    ),
    "contributions.change_contribution",
    "knowledge.add_knowledgelink",
    "knowledge.delete_knowledgelink",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.SECRETARIAT_ADMIN: [
        *(
            f"cepa_collab.{action}_{model}"
            for model in ("branch", "region", "memberstate", "profile")
            for action in ("add", "change", "delete", "view")
        ),
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        "cepa_collab.view_heartbeat",
        *_WORKFLOW_VIEW,
        *_MEETINGS_VIEW,
        "meetings.view_calendartoken",
        "meetings.change_calendartoken",
        "workflows.add_reviewerprofile",
        "workflows.change_reviewerprofile",
        "workflows.add_awayperiod",
        "workflows.change_awayperiod",
        "workflows.delete_awayperiod",
        *(
            f"notifications.view_{model}"
            for model in ("deadline", "reminder", "notification", "digest", "reminderpolicy")
        ),
        *_COOPERATION_VIEW,
        "notifications.change_reminderpolicy",
        "notifications.add_reminderpolicy",
        "notifications.change_reminder",
        "notifications.change_notification",
        "notifications.change_digest",
        "notifications.view_notificationpreference",
        "notifications.change_notificationpreference",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        # Resetting the second factor of someone who lost their phone (they set it up again).
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    ],
    Role.BRANCH_CHIEF: [
        *_ORG_VIEW,
        *_COOPERATION_VIEW,
        *_COOPERATION_EDIT,
        "cepa_collab.view_profile",
        *_WORKFLOW_VIEW,
        *_WORKFLOW_EDIT,
        *_MEETINGS_VIEW,
        *_MEETINGS_EDIT,
        "workflows.change_reviewerprofile",
        "workflows.add_awayperiod",
        "workflows.change_awayperiod",
    ],
    Role.BRANCH_STAFF: [
        *_ORG_VIEW,
        *_COOPERATION_VIEW,
        *_COOPERATION_EDIT,
        "cepa_collab.view_profile",
        *_WORKFLOW_VIEW,
        *_WORKFLOW_EDIT,
        *_MEETINGS_VIEW,
        *_MEETINGS_EDIT,
    ],
    Role.INTER_REGIONAL_ADVISOR: [
        *_ORG_VIEW,
        *_COOPERATION_VIEW,
        *_COOPERATION_EDIT,
        "cepa_collab.view_profile",
        *_WORKFLOW_VIEW,
        *_MEETINGS_VIEW,
    ],
    Role.CEPA_MEMBER: [
        *_ORG_VIEW,
        "contributions.add_contribution",
        "contributions.change_contribution",
        "contributions.view_contribution",
        "contributions.add_attachment",
        "contributions.view_attachment",
    ],
    Role.FOCAL_POINT: [
        "cepa_collab.view_region",
        "cepa_collab.view_memberstate",
        "advisory.view_advisoryrequest",
        "advisory.view_milestone",
        "advisory.view_requestdocument",
        "advisory.add_comment",
        "advisory.view_comment",
        "contributions.view_contribution",
    ],
}


def ensure_permissions(apps=global_apps) -> None:
    """Create the model permissions now (Django creates them only after `migrate`)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def sync_roles(apps=global_apps) -> None:
    """Create one group per role carrying exactly its declared permissions.

    Permissions of apps not migrated yet are skipped; the migration that adds
    them calls this again.
    """
    if apps is not global_apps:
        ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is None:
                logger.debug("permission %s does not exist yet; skipped", perm)
                continue
            wanted.append(found)
        group.permissions.set(wanted)
