from django.contrib import admin

from social.models import Follow, Invite, Privacy, WatchGroup


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["follower", "followed", "created_at"]
    search_fields = ["follower__username", "followed__username"]
    raw_id_fields = ["follower", "followed"]


@admin.register(Privacy)
class PrivacyAdmin(admin.ModelAdmin):
    list_display = ["user", "ratings_audience"]
    list_filter = ["ratings_audience"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["inviter", "created_at", "expires_at", "revoked_at"]
    search_fields = ["inviter__username"]
    raw_id_fields = ["inviter"]


@admin.register(WatchGroup)
class WatchGroupAdmin(admin.ModelAdmin):
    list_display = ["host", "guest_name", "created_at"]
    search_fields = ["host__username"]
    raw_id_fields = ["host", "members"]
