"""The page's one "add to a list" template for film cards (site.js copies it per card)."""

from django import template

from lists.forms import AddToListForm
from lists.models import FilmList
from ratings.templatetags.ratings_tags import TEMPLATE_FILM_ID

register = template.Library()


@register.inclusion_tag("lists/_card_list_template.html", takes_context=True)
def card_list_template(context):
    """The member's lists, rendered once per page that shows cards, not once per card.

    site.js puts a copy after each card's actions, with the card's film id in
    place of ``TEMPLATE_FILM_ID``; it posts to ``lists:add_movie`` like the film
    page's form. Visitors get nothing (they have no lists).
    """
    request = context.get("request")
    if (
        request is None
        or not getattr(request, "renders_cards", False)
        or not request.user.is_authenticated
    ):
        return {"show": False}
    lists = FilmList.objects.owned_by(request.user).only("id", "title")
    return {
        "show": True,
        "form": AddToListForm(lists=lists, auto_id=f"card-list-{TEMPLATE_FILM_ID}-%s"),
        "template_film_id": TEMPLATE_FILM_ID,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
