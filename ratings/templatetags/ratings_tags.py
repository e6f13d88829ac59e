"""Template helpers for a member's ratings and lists."""

from django import template
from django.utils.safestring import mark_safe

from ratings.models import HALF_STARS, ListEntry

register = template.Library()


def _stars_label(value):
    return f"{value:g} star" if value == 1 else f"{value:g} stars"


# Built once: a card list renders these ten radios per film, so every lookup
# saved here is saved hundreds of times per page.
STAR_CHOICES = tuple(
    {
        "value": value,
        # Pre-formatted strings: rendering a number goes through localization,
        # which (times ten radios times fifty cards) dominated a page's time.
        "text": str(value),
        "label": _stars_label(value),
        "n": str(n),
        "side": "right" if n % 2 == 0 else "left",
    }
    for n, value in enumerate(HALF_STARS, start=1)
)
LIST_TOGGLES = (
    (ListEntry.Kind.FAVORITE.value, "is_favorite", "Favorite"),
    (ListEntry.Kind.WATCHLIST.value, "in_watchlist", "Watchlist"),
    (ListEntry.Kind.NOT_INTERESTED.value, "is_not_interested", "Not interested"),
)


@register.filter
def stars(value):
    """``4.5`` → ``"4.5 stars"``; ``1.0`` → ``"1 star"``."""
    return "" if value is None else _stars_label(value)


@register.simple_tag
def list_toggles(movie):
    """``(kind, label, active)`` for each list toggle of ``movie``."""
    return [(kind, label, bool(getattr(movie, flag, False))) for kind, flag, label in LIST_TOGGLES]


# The ten radios and labels of the star widget as one string per choice, with
# only the film id and the checked flag left to fill: a page of cards renders
# hundreds of them, and a template loop made them most of the page's cost.
_STAR_INPUT_HTML = tuple(
    (
        choice["value"],
        '<input class="stars__input" type="radio" name="value" value="{text}" '
        'id="rate-{{pk}}-{n}"{{checked}}><label class="stars__label stars__label--{side}" '
        'for="rate-{{pk}}-{n}" title="{label}"><span class="visually-hidden">{label}</span>'
        "</label>".format(**choice),
    )
    for choice in STAR_CHOICES
)


@register.simple_tag
def star_inputs(movie_id, rating):
    """The widget's radios for film ``movie_id``, the one of ``rating`` checked."""
    pk = int(movie_id)
    return mark_safe(  # noqa: S308 (our own constants and an integer)
        "".join(
            html.format(pk=pk, checked=" checked" if value == rating else "")
            for value, html in _STAR_INPUT_HTML
        )
    )
