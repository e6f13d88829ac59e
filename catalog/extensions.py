"""Where the apps built on the catalog plug into its pages.

Dependencies run one way, catalog ← ratings ← recommender, so catalog never
imports them. Yet its cards show a member's rating and lists, Discover leaves
out films the member is not interested in, and Discover and the film page
carry the recommender's suggestions. Those apps register functions here from
their ``AppConfig.ready()``; catalog's views call them through this module.
"""

from django.db import models
from django.db.models import Value

_member_state = {}
_page_extras = {}


def register_member_state(*, annotate, dismissed):
    """Register how films get a member's state and which films a member dismissed.

    ``annotate(queryset, user)`` adds ``user_rating``, ``is_favorite``,
    ``in_watchlist`` and ``is_not_interested``; ``dismissed(queryset, user)``
    leaves out the films the member does not want suggested.
    """
    _member_state.update(annotate=annotate, dismissed=dismissed)


def with_member_state(queryset, user):
    """``queryset`` with the member's state on each film (empty state for visitors)."""
    if "annotate" in _member_state:
        return _member_state["annotate"](queryset, user)
    return queryset.annotate(
        user_rating=Value(None, output_field=models.FloatField()),
        is_favorite=Value(False),
        in_watchlist=Value(False),
        is_not_interested=Value(False),
    )


def discoverable_by(queryset, user):
    """Visible films of ``queryset``, less those ``user`` dismissed."""
    queryset = queryset.visible()
    if "dismissed" in _member_state:
        queryset = _member_state["dismissed"](queryset, user)
    return queryset


def register_page_extras(page, provider):
    """``provider(request, **objects)`` returns context variables for ``page``.

    Pages and what they pass: ``home``; ``movie_detail`` (``movie``);
    ``person_detail`` (``person``, ``movie_ids``) and ``film_group`` (a tag's or
    keyword's films: ``movie_ids``). The last two read ``member_order`` (the ids
    the member has not rated, best for them first), ``predicted_ratings``
    (``{film id: stars}``) and, on the person page, ``seen_movie_ids`` (films the
    member logged without rating) from what providers return.
    """
    providers = _page_extras.setdefault(page, [])
    # ready() may run again (a test that reloads the app registry): register once.
    if provider not in providers:
        providers.append(provider)


def page_extras(page, request, **objects):
    """The context variables every registered provider adds to ``page``."""
    context = {}
    for provider in _page_extras.get(page, ()):
        context.update(provider(request, **objects))
    return context
