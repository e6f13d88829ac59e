from django.urls import path

from social import views

app_name = "social"

urlpatterns = [
    path("friends/", views.friends, name="friends"),
    path("friends/follow/", views.follow_by_username, name="follow_by_username"),
    path("friends/privacy/", views.privacy, name="privacy"),
    path("friends/invites/", views.create_invite, name="create_invite"),
    path("friends/invites/<int:pk>/revoke/", views.revoke_invite, name="revoke_invite"),
    path("friends/invite/<str:token>/", views.invite, name="invite"),
    path("members/<str:username>/", views.profile, name="profile"),
    path("members/<str:username>/follow/", views.follow, name="follow"),
    path("members/<str:username>/unfollow/", views.unfollow, name="unfollow"),
    path("together/", views.start_group, name="start"),
    path("together/<str:token>/", views.group, name="group"),
    path("together/<str:token>/next/", views.next_pick, name="next"),
    path("together/<str:token>/join/", views.join_group, name="join"),
    path("together/<str:token>/leave/", views.leave_group, name="leave"),
    path("together/<str:token>/guest/", views.guest, name="guest"),
    path("together/<str:token>/guest/remove/", views.remove_guest, name="remove_guest"),
]
