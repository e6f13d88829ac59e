"""Following, friendship and invite links."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from social.friends import are_friends, friends_of, invite_token
from social.models import Follow, Invite

pytestmark = pytest.mark.django_db


def test_following_one_way_is_not_friendship_but_following_back_is(alice_client, alice, bob):
    alice_client.post(reverse("social:follow_by_username"), {"username": "BOB"})
    assert Follow.objects.filter(follower=alice, followed=bob).exists()
    assert not are_friends(alice, bob)

    Follow.objects.create(follower=bob, followed=alice)

    assert are_friends(alice, bob) and are_friends(bob, alice)
    assert list(friends_of(alice)) == [bob]


def test_unfollowing_ends_the_friendship(alice_client, alice, bob):
    Follow.objects.create(follower=alice, followed=bob)
    Follow.objects.create(follower=bob, followed=alice)
    alice_client.post(reverse("social:unfollow", args=["bob"]))
    assert not are_friends(alice, bob)


def test_following_needs_a_post(alice_client, bob):
    response = alice_client.get(reverse("social:follow", args=["bob"]))
    assert response.status_code == 405
    assert not Follow.objects.exists()


def test_nobody_follows_themselves_or_an_unknown_member(alice_client, alice):
    alice_client.post(reverse("social:follow_by_username"), {"username": "alice"})
    alice_client.post(reverse("social:follow_by_username"), {"username": "nobody"})
    assert not Follow.objects.exists()


def test_accepting_an_invite_link_makes_two_members_friends(client, alice, bob):
    client.force_login(alice)
    client.post(reverse("social:create_invite"))
    page = client.get(reverse("social:friends"))
    invite = Invite.objects.get(inviter=alice)
    link = reverse("social:invite", args=[invite_token(invite)])
    assert link in page.content.decode()

    client.force_login(bob)
    assert "alice invites you" in client.get(link).content.decode()
    response = client.post(link)

    assert response.status_code == 302
    assert are_friends(alice, bob)


def test_an_invite_link_asks_a_visitor_to_sign_in_first(client, alice):
    invite = Invite.objects.create(inviter=alice)
    link = reverse("social:invite", args=[invite_token(invite)])
    response = client.post(link)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not Follow.objects.exists()


@pytest.mark.parametrize("spoil", ["revoke", "expire", "forge"])
def test_a_revoked_expired_or_forged_link_makes_no_friends(client, alice, bob, spoil):
    invite = Invite.objects.create(inviter=alice)
    token = invite_token(invite)
    if spoil == "revoke":
        client.force_login(alice)
        client.post(reverse("social:revoke_invite", args=[invite.pk]))
    elif spoil == "expire":
        Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        token = signing.Signer(salt="another salt").sign(str(invite.pk))
    client.force_login(bob)

    response = client.post(reverse("social:invite", args=[token]))

    assert response.status_code == 404
    assert "expired or was revoked" in response.content.decode()
    assert not are_friends(alice, bob)


def test_only_the_inviter_can_revoke_their_link(client, alice, bob):
    invite = Invite.objects.create(inviter=alice)
    client.force_login(bob)
    response = client.post(reverse("social:revoke_invite", args=[invite.pk]))
    assert response.status_code == 404
    assert Invite.objects.usable().filter(pk=invite.pk).exists()


def test_accepting_ones_own_link_does_nothing(alice_client, alice):
    invite = Invite.objects.create(inviter=alice)
    alice_client.post(reverse("social:invite", args=[invite_token(invite)]))
    assert not Follow.objects.exists()
