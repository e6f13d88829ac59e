"""Template helpers for a member's ratings and lists: values to format, no HTML."""

from types import SimpleNamespace

from django import template

from ratings.models import HALF_STARS, ListEntry

register = template.Library()


def _stars_label(value):
    return f"{value:g} star" if value == 1 else f"{value:g} stars"


# The star widget's ten choices, built once (value, its text, its accessible
# name, which half of a star its label draws).
STAR_CHOICES = tuple(
    {
        "value": value,
        "text": str(value),
        "label": _stars_label(value),
        "n": n,
        "side": "right" if n % 2 == 0 else "left",
    }
    for n, value in enumerate(HALF_STARS, start=1)
)
LIST_TOGGLES = (
    (ListEntry.Kind.FAVORITE.value, "is_favorite", "Favorite"),
    (ListEntry.Kind.WATCHLIST.value, "in_watchlist", "Watchlist"),
    (ListEntry.Kind.NOT_INTERESTED.value, "is_not_interested", "Not interested"),
)
# The film id the page's card-actions template carries, for site.js to replace.
TEMPLATE_FILM_ID = 987654321


@register.filter
def stars(value):
    """``4.5`` → ``"4.5 stars"``; ``1.0`` → ``"1 star"``."""
    return "" if value is None else _stars_label(value)


@register.simple_tag
def star_choices(rating):
    """The widget's choices, each with ``checked`` for the member's ``rating``."""
    return [{**choice, "checked": choice["value"] == rating} for choice in STAR_CHOICES]


@register.simple_tag
def list_toggles(movie):
    """``kind``, ``label`` and whether the film is on each list (``active``)."""
    return [
        {"kind": kind, "label": label, "active": bool(getattr(movie, flag, False))}
        for kind, flag, label in LIST_TOGGLES
    ]


@register.inclusion_tag("ratings/_card_actions_template.html", takes_context=True)
def card_actions_template(context):
    """One copy of a card's actions, for site.js to fill in on every card of the page.

    Rendered only on pages that showed a card (``catalog_tags.movie_card_shared``
    marks the request). Members' copy has a rating, so that it carries the
    "Remove rating" button the script keeps or drops per card.
    """
    request = context.get("request")
    if request is None or not getattr(request, "renders_cards", False):
        return {"show": False}
    member = request.user.is_authenticated
    movie = SimpleNamespace(
        pk=TEMPLATE_FILM_ID,
        title="",
        user_rating=HALF_STARS[-1] if member else None,
        is_favorite=False,
        in_watchlist=False,
        is_not_interested=False,
    )
    return {
        "show": True,
        "movie": movie,
        "compact": True,
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "template_film_id": TEMPLATE_FILM_ID,
    }
