"""The taste page: a member's own ratings in numbers, for that member only."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ratings.models import HALF_STARS
from taste import charts
from taste.stats import taste_of


@login_required
def taste(request):
    """``request.user``'s taste; there is no address for anyone else's."""
    found = taste_of(request.user)
    context = {"taste": found}
    if found.rating_count:
        mine = charts.percentages(found.histogram)
        theirs = charts.percentages(found.community_histogram)
        stars = [f"{value:g}" for value in HALF_STARS]
        context.update(
            histogram_chart=charts.bar_chart(stars, mine, theirs, percent=True),
            histogram_rows=list(
                zip(stars, found.histogram, mine, found.community_histogram, theirs, strict=True)
            ),
            community_total=sum(found.community_histogram),
            time_chart=charts.bar_chart(
                [label for label, _ in found.over_time],
                [n for _, n in found.over_time],
                max_labels=5,
            ),
            decade_chart=charts.bar_chart(
                [f"{decade}s" for decade, _, _ in found.decades],
                [count for _, count, _ in found.decades],
            ),
        )
    return render(request, "taste/taste.html", context)
