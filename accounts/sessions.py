"""Sessions in the database, each tied to its member (``SESSION_ENGINE``).

Django's database store with the member beside each session
(:class:`accounts.models.MemberSession`): deleting an account deletes its
sessions on every device with it, so nothing it left in them (a pending
import, a kept click) outlives the account.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        # Imported here: the session engine loads before the app registry is ready.
        from accounts.models import MemberSession

        return MemberSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        member = str(data.get(SESSION_KEY, ""))
        session.user_id = int(member) if member.isdigit() else None
        return session
