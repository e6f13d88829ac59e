"""Sessions know their member; the switch to them keeps members logged in."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as OldSessionStore
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import MemberSession

BEFORE = [("ratings", "0005_community_figures")]
AFTER = [("accounts", "0002_member_session_table")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def back_to_latest():
    """Migrating back drops every later table (the diary's, the lists'); put them back
    so the tests after this one find the schema they were written for."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_logging_in_ties_the_session_to_the_member(client, alice):
    client.force_login(alice)
    assert MemberSession.objects.get(session_key=client.session.session_key).user == alice


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_latest")
def test_open_sessions_are_carried_over_with_their_member(alice):
    migrate(BEFORE)
    members = OldSessionStore()
    members[SESSION_KEY] = str(alice.pk)
    members["ratings_import"] = {"rows": []}
    members.create()
    visitors = OldSessionStore()
    visitors["pending_action"] = {"movie": 1, "action": "watchlist"}
    visitors.create()

    migrate(AFTER)

    carried = MemberSession.objects.get(session_key=members.session_key)
    assert carried.user_id == alice.pk
    assert carried.get_decoded()["ratings_import"] == {"rows": []}
    assert MemberSession.objects.get(session_key=visitors.session_key).user_id is None
