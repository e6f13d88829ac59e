"""Watch together: who is in a group, who may join, and the group's list."""

from recommender.group_serving import GroupMember, recommend_for_group
from recommender.groups import MAX_GROUP
from social.friends import are_friends, can_see_ratings


def people(group, viewer):
    """The group as ``GroupMember``s: the viewer ("You") first, then the others, a guest last.

    A reason may name what a person loved only where the viewer may see their ratings.
    """
    accounts = sorted(group.members.all(), key=lambda user: (user != viewer, user.username))
    members = [
        GroupMember(
            "You" if user == viewer else user.username,
            user=user,
            nameable=can_see_ratings(viewer, user),
        )
        for user in accounts
    ]
    if group.has_guest:
        ratings = {int(pk): float(stars) for pk, stars in group.guest_ratings.items()}
        members.append(GroupMember(group.guest_name, guest_ratings=ratings))
    return members


def size(group):
    return group.members.count() + group.has_guest


def may_join(group, user):
    """A signed-in friend of the host may join while the group has room."""
    return (
        user.is_authenticated
        and not group.members.filter(pk=user.pk).exists()
        and are_friends(user, group.host)
        and size(group) < MAX_GROUP
    )


def group_list(group, viewer, n, filters, strategy):
    members = people(group, viewer)
    return recommend_for_group(viewer, members, n=n, filters=filters, strategy=strategy)
