"""Template helpers for a member's ratings and lists."""

import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
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


_PK_SENTINEL = 987654321


@functools.cache
def _list_url_templates(script_prefix):
    """``{kind: url with {pk} to fill}``; reversed once per deployment prefix, not per card."""
    return {
        kind: reverse("ratings:set_list", args=[_PK_SENTINEL, kind]).replace(
            str(_PK_SENTINEL), "{pk}"
        )
        for kind, _flag, _label in LIST_TOGGLES
    }


_TOGGLE_BUTTON = (
    '<button class="toggle toggle--{kind}" type="submit" aria-pressed="{pressed}" '
    'title="{label}"><span class="toggle__icon" aria-hidden="true"></span>'
    '<span class="toggle__label">{label}</span><span class="visually-hidden"> {title}</span>'
    "</button>"
)


@register.simple_tag(takes_context=True)
def list_toggle_forms(context, movie, compact=False):
    """The favorite, watchlist and not-interested forms of a film's actions.

    Members get POST forms that switch the list (``site.js`` sends them with
    fetch); visitors get GET forms to the log-in page naming the film and the
    list (kept through log-in by ``ratings.pending``), with no CSRF token, so
    their pages can be cached for everyone. Built in Python like the stars:
    a page of cards has hundreds of them.
    """
    request = context["request"]
    title = escape(movie.title)
    back = escape(request.get_full_path())
    forms = []
    if request.user.is_authenticated:
        urls = _list_url_templates(get_script_prefix())
        token = escape(str(context.get("csrf_token", "")))
        compact_field = '<input type="hidden" name="compact" value="1">' if compact else ""
        for kind, flag, label in LIST_TOGGLES:
            active = bool(getattr(movie, flag, False))
            forms.append(
                f'<form method="post" action="{urls[kind].format(pk=int(movie.pk))}" '
                f'data-action-form><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                f'<input type="hidden" name="next" value="{back}">'
                f'<input type="hidden" name="on" value="{0 if active else 1}">{compact_field}'
                + _TOGGLE_BUTTON.format(
                    kind=kind, pressed="true" if active else "false", label=label, title=title
                )
                + "</form>"
            )
    else:
        login = escape(reverse("accounts:login"))
        for kind, _flag, label in LIST_TOGGLES:
            forms.append(
                f'<form method="get" action="{login}"><input type="hidden" name="next" '
                f'value="{back}"><input type="hidden" name="movie" value="{int(movie.pk)}">'
                f'<input type="hidden" name="action" value="{kind}">'
                + _TOGGLE_BUTTON.format(kind=kind, pressed="false", label=label, title=title)
                + "</form>"
            )
    return mark_safe("".join(forms))  # noqa: S308 (every value above is escaped or ours)
