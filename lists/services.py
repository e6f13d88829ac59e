"""Changing a member's lists: create, add, remove, move and reorder.

The list pages and the JSON API both go through these functions, which keep
each list's positions 1, 2, 3… without gaps or repeats.
"""

from django.db import transaction
from django.db.models import F, Max

from lists.models import MAX_ITEMS, FilmList, ListItem


class ListFull(Exception):
    """The list already holds ``MAX_ITEMS`` films."""


def create_list(owner, title, description="", is_public=False):
    return FilmList.objects.create(
        owner=owner, title=title.strip(), description=description.strip(), is_public=is_public
    )


def add_to_list(film_list, movie, note=""):
    """Put ``movie`` at the end of ``film_list``; returns ``(item, created)``.

    A film already on the list stays where it is.
    """
    with transaction.atomic():
        # Lock the list so two additions at once do not take the same position.
        locked = FilmList.objects.select_for_update().get(pk=film_list.pk)
        existing = ListItem.objects.filter(film_list=locked, movie=movie).first()
        if existing is not None:
            return existing, False
        items = ListItem.objects.filter(film_list=locked)
        last = items.aggregate(last=Max("position"))["last"] or 0
        if last >= MAX_ITEMS:
            raise ListFull(f"A list holds at most {MAX_ITEMS:,} films.")
        item = ListItem.objects.create(
            film_list=locked, movie=movie, position=last + 1, note=note.strip()
        )
        locked.save(update_fields=["updated_at"])
    return item, True


def remove_from_list(film_list, item_id):
    """Take one item off the list and close the gap; False if it was not there."""
    with transaction.atomic():
        locked = FilmList.objects.select_for_update().get(pk=film_list.pk)
        item = ListItem.objects.filter(film_list=locked, pk=item_id).first()
        if item is None:
            return False
        item.delete()
        ListItem.objects.filter(film_list=locked, position__gt=item.position).update(
            position=F("position") - 1
        )
        locked.save(update_fields=["updated_at"])
    return True


def move_item(film_list, item_id, offset):
    """Move an item ``offset`` places (-1 up, +1 down), within the list's ends.

    Returns the item's new position, or None if the item is not on the list.
    """
    with transaction.atomic():
        locked = FilmList.objects.select_for_update().get(pk=film_list.pk)
        ids = list(
            ListItem.objects.filter(film_list=locked)
            .order_by("position", "id")
            .values_list("id", flat=True)
        )
        if item_id not in ids:
            return None
        index = ids.index(item_id)
        target = min(max(index + offset, 0), len(ids) - 1)
        ids.insert(target, ids.pop(index))
        _renumber(locked, ids)
    return target + 1


def reorder(film_list, item_ids):
    """Put the list in the order of ``item_ids`` (every item of the list, once each).

    Raises ``ValueError`` if ``item_ids`` is not exactly the list's items: an
    order sent from a page that is out of date changes nothing.
    """
    with transaction.atomic():
        locked = FilmList.objects.select_for_update().get(pk=film_list.pk)
        current = set(ListItem.objects.filter(film_list=locked).values_list("id", flat=True))
        if len(item_ids) != len(current) or set(item_ids) != current:
            raise ValueError("The order must name every film of the list once.")
        _renumber(locked, list(item_ids))


def _renumber(film_list, ordered_ids):
    items = ListItem.objects.filter(film_list=film_list).in_bulk(ordered_ids)
    changed = []
    for position, item_id in enumerate(ordered_ids, start=1):
        item = items[item_id]
        if item.position != position:
            item.position = position
            changed.append(item)
    ListItem.objects.bulk_update(changed, ["position"])
    film_list.save(update_fields=["updated_at"])


def add_films(film_list, movies_and_notes):
    """Append films (``[(movie, note)]``) in order, skipping ones already on the list.

    One transaction: an import adds all its films or none. Returns the number added.
    """
    with transaction.atomic():
        locked = FilmList.objects.select_for_update().get(pk=film_list.pk)
        items = ListItem.objects.filter(film_list=locked)
        present = set(items.values_list("movie_id", flat=True))
        position = items.aggregate(last=Max("position"))["last"] or 0
        new = []
        for movie, note in movies_and_notes:
            if movie.pk in present:
                continue
            present.add(movie.pk)
            position += 1
            new.append(ListItem(film_list=locked, movie=movie, position=position, note=note))
        if position > MAX_ITEMS:
            raise ListFull(f"A list holds at most {MAX_ITEMS:,} films.")
        ListItem.objects.bulk_create(new)
        locked.save(update_fields=["updated_at"])
    return len(new)
