"""A member's ratings and lists on the films a page shows.

Registered with the catalog (``catalog.extensions``) so that catalog's pages
show them too without importing this app.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Subquery, Value

from ratings.models import ListEntry, Rating


def with_member_state(queryset, user):
    """Annotate ``user_rating`` and list membership for ``user`` (None/False for visitors)."""
    if not user.is_authenticated:
        return queryset.annotate(
            user_rating=Value(None, output_field=models.FloatField()),
            is_favorite=Value(False),
            in_watchlist=Value(False),
            is_not_interested=Value(False),
        )
    entries = ListEntry.objects.filter(user=user, movie=OuterRef("pk"))
    return queryset.annotate(
        user_rating=Subquery(
            Rating.objects.filter(user=user, movie=OuterRef("pk")).values("value")[:1]
        ),
        is_favorite=Exists(entries.filter(kind=ListEntry.Kind.FAVORITE)),
        in_watchlist=Exists(entries.filter(kind=ListEntry.Kind.WATCHLIST)),
        is_not_interested=Exists(entries.filter(kind=ListEntry.Kind.NOT_INTERESTED)),
    )


def without_dismissed(queryset, user):
    """``queryset`` less the films ``user`` marked as not interested."""
    if not user.is_authenticated:
        return queryset
    dismissed = ListEntry.objects.filter(
        user=user, movie=OuterRef("pk"), kind=ListEntry.Kind.NOT_INTERESTED
    )
    return queryset.exclude(Exists(dismissed))


def discoverable_by(queryset, user):
    """Visible films of ``queryset``, less those ``user`` marked as not interested."""
    return without_dismissed(queryset.visible(), user)
