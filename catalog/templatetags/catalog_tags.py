"""Formatting for catalog templates."""

from django import template

register = template.Library()

CARD_GENRES = 3


@register.simple_tag(takes_context=True)
def card_genres(context, movie):
    """The genres a card has room for; those the page is filtered by come first.

    The page's view puts the chosen genres' ids in ``chosen_genre_ids``.
    """
    genres = list(movie.genres.all())
    chosen = context.get("chosen_genre_ids")
    if chosen:
        genres.sort(key=lambda genre: genre.pk not in chosen)
    return genres[:CARD_GENRES]
