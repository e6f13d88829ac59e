"""Template helpers for a member's ratings and lists."""

from django import template

from ratings.models import HALF_STARS

register = template.Library()


@register.filter
def stars(value):
    """``4.5`` → ``"4.5 stars"``; ``1.0`` → ``"1 star"``."""
    if value is None:
        return ""
    return f"{value:g} star" if value == 1 else f"{value:g} stars"


@register.inclusion_tag("ratings/_list_toggle.html", takes_context=True)
def list_toggle(context, movie, kind, active, label, compact=False):
    """A one-button form that puts ``movie`` on the ``kind`` list or takes it off."""
    return {
        "movie": movie,
        "kind": kind,
        "active": bool(active),
        "label": label,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "compact": compact,
    }


@register.simple_tag
def half_star_values():
    return HALF_STARS
