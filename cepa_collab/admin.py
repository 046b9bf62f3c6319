from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from cepa_collab.models import Branch, Heartbeat, MemberState, Profile, Region, roles_for


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name", "code"]


@admin.register(MemberState)
class MemberStateAdmin(admin.ModelAdmin):
    list_display = ["name", "iso3", "iso2", "region"]
    list_filter = ["region"]
    search_fields = ["name", "official_name", "iso3", "iso2"]
    list_select_related = ["region"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "branch", "country", "time_zone", "language"]
    list_filter = ["branch", "language", "country__region"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "branch", "country"]
    autocomplete_fields = ["country"]
    raw_id_fields = ["user"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["country"]
    verbose_name_plural = _("profile")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role_list", "is_active"]
    list_filter = ["groups", "is_active", "is_staff", "profile__branch"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return ", ".join(str(role.label) for role in roles_for(obj))


admin.site.site_header = _("CEPA Collab administration")
admin.site.site_title = _("CEPA Collab")
