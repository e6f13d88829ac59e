"""Formatting for catalog templates, and the shared part of a film card."""

import hashlib

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from catalog.page_cache import catalog_generation
from catalog.tmdb.images import image_base_url

register = template.Library()

CARD_GENRES = 3
# The shared part of a card lives this long in the shared cache; its key moves
# on with the catalog generation and the film's own changes, so this only
# bounds how long an unused one takes room.
SHARED_CARD_SECONDS = 24 * 60 * 60
# Each process keeps the cards it rendered or fetched, up to this many, so a
# page of cards costs no cache round trips once a worker has seen its films.
_LOCAL_CARDS_LIMIT = 20_000
_local_cards = {}


def _card_genres(movie, chosen):
    genres = list(movie.genres.all())
    if chosen:
        genres.sort(key=lambda genre: genre.pk not in chosen)
    return genres[:CARD_GENRES]


@register.simple_tag(takes_context=True)
def card_genres(context, movie):
    """The genres a card has room for; those the page is filtered by come first.

    The page's view puts the chosen genres' ids in ``chosen_genre_ids``.
    """
    return _card_genres(movie, context.get("chosen_genre_ids"))


def _generation(request):
    """The catalog generation, read from the cache once per request."""
    if request is None:
        return catalog_generation()
    if not hasattr(request, "catalog_generation"):
        request.catalog_generation = catalog_generation()
    return request.catalog_generation


@register.simple_tag(takes_context=True)
def catalog_generation_now(context):
    """The catalog generation, for a fragment cached until the catalog changes.

    Filter panels (genre checkboxes, selects) cost a member's page more than
    its cards did; they depend only on the query and the catalog, so pages
    cache them with ``{% cache %}`` keyed by this and the query string.
    """
    return _generation(context.get("request"))


def shared_card_key(movie, generation, chosen=None):
    """Everything the shared part of ``movie``'s card depends on, as a cache key.

    A staff edit moves the generation, a TMDB sync the film's ``updated_at``, a
    member's rating its community figures; the genres come first in the order
    the page filters by.
    """
    parts = [
        generation,
        movie.pk,
        movie.updated_at.timestamp() if movie.updated_at else "",
        movie.rating_count,
        movie.rating_mean,
        image_base_url(),
    ]
    if chosen:
        parts.append(sorted(chosen))
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"card:{movie.pk}:{digest}"


@register.simple_tag(takes_context=True)
def movie_card_shared(context, movie):
    """The part of ``movie``'s card that is the same for everyone, rendered once.

    Poster, title, year, genres and community rating come from
    ``catalog/_card_shared.html``, kept per film and catalog generation in the
    process and in the shared cache. The page is marked as showing cards, so
    ``base.html`` adds the one actions template site.js fills in per card.
    """
    request = context.get("request")
    if request is not None:
        request.renders_cards = True
    chosen = context.get("chosen_genre_ids")
    key = shared_card_key(movie, _generation(request), chosen)
    html = _local_cards.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = render_to_string(
                "catalog/_card_shared.html",
                {"movie": movie, "genres": _card_genres(movie, chosen)},
            )
            cache.set(key, str(html), SHARED_CARD_SECONDS)
        if len(_local_cards) >= _LOCAL_CARDS_LIMIT:
            _local_cards.clear()
        _local_cards[key] = html
    return mark_safe(html)  # noqa: S308 (the autoescaped output of _card_shared.html)
