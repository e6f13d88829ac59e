"""Watch together: one list for a group, from the serving model (strategies in ``groups``).

Each person is folded in as For you folds a member in (a guest from their
quick ratings, like a new member). Nothing anyone rated is listed, nor what
any member's own For you leaves out (``serving.excluded_movie_ids``: not
interested, logged in the diary, the watchlist unless the filters include it,
films staff hid), nor anything in ``also_exclude`` (film ids the caller rules
out). Each film
comes with every person's predicted rating and the group's reason: the rated
film that speaks most for it among those that people who may be named loved.
"""

from dataclasses import dataclass, field

import numpy as np

from catalog.models import Movie
from ratings.member_state import with_member_state
from recommender.factorization import fold_in_user, item_weights
from recommender.groups import DEFAULT_STRATEGY, rank_for_group
from recommender.serving import (
    POPULARITY_SHIFTS,
    Filters,
    excluded_movie_ids,
    filter_mask,
    member_profile,
    model_cache,
)

# "loved": rated at least this.
LOVED = 4.0
# A reason is one of each person's this many biggest contributors.
REASON_AMONG = 3


@dataclass
class GroupMember:
    """Someone in the group: a member's account, or a guest's quick ratings."""

    name: str
    user: object = None
    guest_ratings: dict = field(default_factory=dict)  # movie id → stars, for a guest
    # May the group's reasons say which films this person loved?
    nameable: bool = True


@dataclass
class GroupPick:
    movie: Movie
    predictions: list  # (name, predicted rating) for each person, in the group's order
    loved: Movie | None = None  # the film the reason names …
    loved_by: list = field(default_factory=list)  # … and who loved it


def recommend_for_group(
    viewer, members, n=50, filters=None, strategy=DEFAULT_STRATEGY, also_exclude=()
):
    """Top-``n`` films for ``members`` (``GroupMember``), cards carrying ``viewer``'s state."""
    bundle = model_cache.get()
    if bundle is None:
        return []
    filters = filters or Filters()
    profiles = [_profile(bundle, member) for member in members]
    excluded = filter_mask(bundle, filters)
    excluded[bundle.item_indices(_listed_movie_ids(members, filters, also_exclude))[0]] = True
    items, predictions = rank_for_group(
        bundle.model,
        profiles,
        n=n,
        exclude=np.flatnonzero(excluded),
        strategy=strategy,
        popularity_shift=POPULARITY_SHIFTS.get(filters.popularity, 0.0),
    )
    if len(items) == 0:
        return []
    reasons = _reasons(bundle, members, profiles, items)
    movie_ids = bundle.movie_ids[items].tolist()
    movies = with_member_state(Movie.objects.visible().with_card_data(), viewer).in_bulk(movie_ids)
    loved_movies = Movie.objects.only("id", "title", "year").in_bulk(
        {int(bundle.movie_ids[reason[0]]) for reason in reasons if reason}
    )
    picks = []
    for position, movie_id in enumerate(movie_ids):
        movie = movies.get(movie_id)
        if movie is None:
            continue
        pick = GroupPick(
            movie,
            [
                (member.name, float(predictions[row, position]))
                for row, member in enumerate(members)
            ],
        )
        if reason := reasons[position]:
            pick.loved = loved_movies.get(int(bundle.movie_ids[reason[0]]))
            pick.loved_by = [members[row].name for row in reason[1]]
        picks.append(pick)
    return picks


def _profile(bundle, member):
    if member.user is not None:
        return member_profile(bundle, member.user)
    movie_ids = np.array(list(member.guest_ratings), dtype=np.int64)
    values = np.array(list(member.guest_ratings.values()), dtype=np.float32)
    items, known = bundle.item_indices(movie_ids)
    return fold_in_user(bundle.model, items, values[known])


def _listed_movie_ids(members, filters, further):
    """What each member's own list leaves out (the same exclusions as For you), and
    the caller's ``further`` exclusions."""
    excluded = [np.asarray(further, dtype=np.int64)]
    for member in members:
        if member.user is not None:
            excluded.append(excluded_movie_ids(member.user, filters.include_watchlist))
    return np.unique(np.concatenate(excluded))


def _reasons(bundle, members, profiles, items):
    """Per item: ``(rated item, [rows of the people who loved it])`` for its reason, or None.

    Each nameable person's ``REASON_AMONG`` biggest contributors to the film's
    score that they loved and that share a genre with it are counted; the one
    most people share wins (then the larger share of the score). One
    ``item_weights`` product per person covers every listed film.
    """
    genres = bundle.genre_masks
    tallies = [{} for _ in items]
    for row, (member, profile) in enumerate(zip(members, profiles, strict=True)):
        if not member.nameable or not len(profile.item_indices):
            continue
        terms = profile.contribution_weights[:, None] * item_weights(
            bundle.model, profile.item_indices, items
        )
        positive = np.maximum(terms, 0).sum(axis=0)
        leaders = np.argsort(-terms, axis=0, kind="stable")[:REASON_AMONG]
        for column, item in enumerate(items.tolist()):
            for leader in leaders[:, column].tolist():
                rated = int(profile.item_indices[leader])
                if terms[leader, column] <= 0 or profile.ratings[leader] < LOVED:
                    continue
                if genres[rated] & genres[item]:
                    share = float(terms[leader, column] / positive[column])
                    rows, total = tallies[column].get(rated, ([], 0.0))
                    tallies[column][rated] = ([*rows, row], total + share)
    reasons = []
    for tally in tallies:
        if not tally:
            reasons.append(None)
            continue
        rated, (rows, _) = max(tally.items(), key=lambda entry: (len(entry[1][0]), entry[1][1]))
        reasons.append((rated, rows))
    return reasons
