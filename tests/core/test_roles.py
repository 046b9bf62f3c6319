import pytest
from django.contrib.auth.models import Group, Permission

from cepa_collab.enums import Role
from cepa_collab.models import roles_for
from cepa_collab.roles import ROLE_PERMISSIONS
from cepa_collab.services import set_roles
from tests.factories import person


def _codes(group: Group) -> set[str]:
    return {
        f"{perm.content_type.app_label}.{perm.codename}"
        for perm in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_every_role_is_a_group_with_exactly_its_declared_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    for role in Role:
        assert _codes(Group.objects.get(name=role.value)) == set(ROLE_PERMISSIONS[role]), role


@pytest.mark.django_db
def test_every_declared_permission_exists_after_migrate():
    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    declared = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}

    assert declared - existing == set()


@pytest.mark.django_db
def test_role_groups_carry_model_permissions_to_people():
    member = person(Role.CEPA_MEMBER, username="m")
    admin = person(Role.SECRETARIAT_ADMIN, username="a")

    assert member.has_perm("cepa_collab.view_memberstate")
    assert not member.has_perm("cepa_collab.change_branch")
    assert admin.has_perm("cepa_collab.change_branch")


@pytest.mark.django_db
def test_set_roles_replaces_role_groups_and_keeps_other_groups():
    user = person(Role.CEPA_MEMBER, username="m")
    other = Group.objects.create(name="editorial board")
    user.groups.add(other)

    set_roles(user, [Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR])

    user.refresh_from_db()
    assert roles_for(user) == [Role.BRANCH_STAFF, Role.INTER_REGIONAL_ADVISOR]
    assert user.groups.filter(name="editorial board").exists()
