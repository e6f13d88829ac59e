"""Friends, privacy, profile pages and watch together."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog.models import Movie
from catalog.text import parse_whole_number
from ratings.models import Rating
from ratings.onboarding import films_to_rate
from recommender.serving import model_cache
from social import friends as friendship
from social import together
from social.forms import FollowForm, GroupFilterForm, GuestForm, PrivacyForm, StartGroupForm
from social.models import Follow, Invite, Privacy, WatchGroup

GROUP_LIST_SIZE = 30
PROFILE_PAGE_SIZE = 24
GUEST_FILMS = 10


@login_required
def friends(request):
    user = request.user
    privacy = Privacy.objects.filter(user=user).first() or Privacy(user=user)
    return render(
        request,
        "social/friends.html",
        {
            "friends": friendship.friends_of(user),
            "following": Follow.objects.filter(follower=user)
            .exclude(followed__in=friendship.friends_of(user))
            .select_related("followed"),
            "followers": Follow.objects.filter(followed=user)
            .exclude(follower__in=friendship.friends_of(user))
            .select_related("follower"),
            "invites": [
                (
                    invite,
                    request.build_absolute_uri(
                        reverse("social:invite", args=[friendship.invite_token(invite)])
                    ),
                )
                for invite in Invite.objects.usable().filter(inviter=user)
            ],
            "follow_form": FollowForm(follower=user),
            "privacy_form": PrivacyForm(instance=privacy),
        },
    )


@login_required
@require_POST
def follow_by_username(request):
    form = FollowForm(request.POST, follower=request.user)
    if form.is_valid():
        member = form.cleaned_data["username"]
        friendship.follow(request.user, member)
        messages.success(request, f"You follow {member.username}.")
    else:
        messages.error(request, " ".join(form.errors["username"]))
    return redirect("social:friends")


@login_required
@require_POST
def follow(request, username):
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    friendship.follow(request.user, member)
    messages.success(request, f"You follow {member.username}.")
    return redirect("social:profile", username=member.username)


@login_required
@require_POST
def unfollow(request, username):
    member = get_object_or_404(get_user_model(), username=username)
    friendship.unfollow(request.user, member)
    messages.success(request, f"You no longer follow {member.username}.")
    return redirect("social:friends")


@login_required
@require_POST
def privacy(request):
    instance = Privacy.objects.filter(user=request.user).first() or Privacy(user=request.user)
    form = PrivacyForm(request.POST, instance=instance)
    if form.is_valid():
        form.save()
        audience = instance.get_ratings_audience_display().lower()
        messages.success(request, f"Your ratings are seen by: {audience}.")
    return redirect("social:friends")


@login_required
@require_POST
def create_invite(request):
    Invite.objects.create(inviter=request.user)
    messages.success(request, "A new invite link is ready: send it to a friend.")
    return redirect("social:friends")


@login_required
@require_POST
def revoke_invite(request, pk):
    invite = get_object_or_404(Invite, pk=pk, inviter=request.user)
    invite.revoked_at = timezone.now()
    invite.save(update_fields=["revoked_at"])
    messages.success(request, "That invite link no longer works.")
    return redirect("social:friends")


@login_required
def invite(request, token):
    """An invite link: a signed-in member accepts it (POST) and becomes the inviter's friend."""
    found = friendship.invite_for_token(token)
    if request.method == "POST" and found and found.inviter != request.user:
        friendship.accept_invite(found, request.user)
        messages.success(request, f"You and {found.inviter.username} are friends now.")
        return redirect("social:friends")
    status = 200 if found else 404
    return render(request, "social/invite.html", {"invite": found}, status=status)


def profile(request, username):
    """A member's page: their ratings, to whom their privacy setting allows."""
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    may_see = friendship.can_see_ratings(request.user, member)
    if not may_see and not request.user.is_authenticated:
        raise Http404("No such public profile.")
    page = None
    if may_see:
        ratings = (
            Rating.objects.filter(user=member)
            .of_visible_movies()
            .select_related("movie")
            .order_by("-updated_at", "-id")
        )
        page = Paginator(ratings, PROFILE_PAGE_SIZE).get_page(request.GET.get("page"))
    viewer = request.user
    return render(
        request,
        "social/profile.html",
        {
            "member": member,
            "may_see": may_see,
            "page": page,
            "is_self": viewer == member,
            "is_friend": friendship.are_friends(viewer, member),
            "follows": viewer.is_authenticated
            and Follow.objects.filter(follower=viewer, followed=member).exists(),
        },
    )


@login_required
def start_group(request):
    form = StartGroupForm(request.POST or None, friends=friendship.friends_of(request.user))
    if request.method == "POST" and form.is_valid():
        group = WatchGroup.objects.create(host=request.user)
        group.members.add(request.user, *form.cleaned_data["friends"])
        return redirect(group)
    groups = request.user.watch_groups.prefetch_related("members")[:5]
    return render(request, "social/start.html", {"form": form, "groups": groups})


def _group_for(request, token):
    group = get_object_or_404(WatchGroup.objects.select_related("host"), token=token)
    if not group.members.filter(pk=request.user.pk).exists():
        return group, False
    return group, True


@login_required
def group(request, token):
    group, is_member = _group_for(request, token)
    if not is_member:
        if not together.may_join(group, request.user):
            raise Http404("Not a group you can join.")
        return render(request, "social/join.html", {"group": group})
    form = GroupFilterForm(request.GET or None)
    filters = form.to_filters()
    strategy = form.chosen_strategy()
    picks = together.group_list(group, request.user, GROUP_LIST_SIZE, filters, strategy)
    return render(
        request,
        "social/group.html",
        {
            "group": group,
            "people": together.people(group, request.user),
            "form": form,
            "picks": picks,
            "has_model": model_cache.get() is not None,
            "share_url": request.build_absolute_uri(group.get_absolute_url()),
            "query_string": request.GET.urlencode(),
            "chosen_genre_ids": set(filters.genres),
            "can_add_guest": not group.has_guest and together.size(group) < together.MAX_GROUP,
        },
    )


@login_required
def next_pick(request, token):
    """One more card for the group's page, skipping the films already on it (``shown`` ids)."""
    group, is_member = _group_for(request, token)
    if not is_member:
        raise Http404("Not your group.")
    form = GroupFilterForm(request.GET or None)
    shown = {parse_whole_number(pk) for pk in request.GET.getlist("shown")} - {None}
    size = GROUP_LIST_SIZE + len(shown) + 1
    picks = together.group_list(
        group, request.user, size, form.to_filters(), form.chosen_strategy()
    )
    fresh = next((pick for pick in picks if pick.movie.pk not in shown), None)
    return render(request, "social/_group_card.html", {"pick": fresh})


@login_required
@require_POST
def join_group(request, token):
    group = get_object_or_404(WatchGroup, token=token)
    if not together.may_join(group, request.user):
        raise Http404("Not a group you can join.")
    group.members.add(request.user)
    messages.success(request, f"You joined {group.host.username}'s group.")
    return redirect(group)


@login_required
@require_POST
def leave_group(request, token):
    group, is_member = _group_for(request, token)
    if is_member:
        group.members.remove(request.user)
        messages.success(request, "You left the group.")
    return redirect("social:start")


@login_required
def guest(request, token):
    """A guest without an account rates a few well-known films on the spot."""
    group, is_member = _group_for(request, token)
    if not is_member:
        raise Http404("Not your group.")
    movie_ids, _ = films_to_rate(request.user)
    movies = Movie.objects.in_bulk(movie_ids[:GUEST_FILMS])
    movies = [movies[pk] for pk in movie_ids[:GUEST_FILMS] if pk in movies]
    form = GuestForm(request.POST or None, movies=movies)
    if request.method == "POST" and form.is_valid():
        if not group.has_guest and together.size(group) >= together.MAX_GROUP:
            messages.error(request, "The group is full.")
            return redirect(group)
        group.guest_name = form.cleaned_data["name"]
        group.guest_ratings = form.ratings()
        group.save(update_fields=["guest_name", "guest_ratings"])
        messages.success(request, f"{group.guest_name} joined as a guest.")
        return redirect(group)
    return render(request, "social/guest.html", {"group": group, "form": form})


@login_required
@require_POST
def remove_guest(request, token):
    group, is_member = _group_for(request, token)
    if is_member:
        group.guest_name, group.guest_ratings = "", {}
        group.save(update_fields=["guest_name", "guest_ratings"])
    return redirect(group)
