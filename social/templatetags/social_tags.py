"""Formatting for the social pages."""

from django import template

register = template.Library()


@register.filter
def names(people):
    """["You", "Ben", "Ana"] → "You, Ben and Ana"."""
    people = list(people)
    if len(people) < 2:
        return "".join(people)
    return f"{', '.join(people[:-1])} and {people[-1]}"
