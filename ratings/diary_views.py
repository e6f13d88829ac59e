"""The diary's pages: log a watch from the film page, the diary by month, edit and delete."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Movie
from ratings import diary
from ratings.forms import DiaryEntryForm
from ratings.models import DiaryEntry
from ratings.views import _back


def movie_detail_extras(request, movie):
    """The film page's "log a watch" form and the member's watches of the film."""
    if not request.user.is_authenticated:
        return {}
    return {
        "diary_form": DiaryEntryForm(auto_id=f"diary-{movie.pk}-%s"),
        "diary_entries": diary.entries_for_movie(request.user, movie),
    }


@require_POST
def log_watch(request, pk):
    movie = get_object_or_404(Movie.objects.visible(), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(movie.get_absolute_url())
    form = DiaryEntryForm(request.POST, auto_id=f"diary-{movie.pk}-%s")
    if not form.is_valid():
        problems = " ".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"Nothing was logged: {problems}")
        return redirect(_back(request, movie))
    data = form.cleaned_data
    entry = diary.log_watch(
        request.user, movie, data["watched_on"], data["rating"], data["rewatch"], data["note"]
    )
    day = date_format(entry.watched_on, "j F Y")
    messages.success(request, f"Logged {movie.title} as watched on {day}.")
    return redirect(_back(request, movie))


@login_required
def diary_latest(request):
    """The month of the member's latest watch (this month if they have none)."""
    latest = DiaryEntry.objects.for_user(request.user).of_visible_movies().first()
    day = latest.watched_on if latest else timezone.localdate()
    return _render_month(request, diary.Month.of(day))


@login_required
def diary_month(request, year, month):
    # The month after is looked at too, so the last year the calendar allows is out.
    if not (1 <= month <= 12 and datetime.MINYEAR <= year < datetime.MAXYEAR):
        raise Http404("No such month.")
    return _render_month(request, diary.Month(year, month))


def _render_month(request, month):
    entries, before, after = diary.diary_month(request.user, month)
    days = []
    for entry in entries:
        if not days or days[-1][0] != entry.watched_on:
            days.append((entry.watched_on, []))
        days[-1][1].append(entry)
    return render(
        request,
        "ratings/diary.html",
        {"month": month, "days": days, "count": len(entries), "before": before, "after": after},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_entry(request, pk):
    entry = get_object_or_404(
        DiaryEntry.objects.for_user(request.user).select_related("movie"), pk=pk
    )
    form = DiaryEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        diary.update_entry(entry, data["watched_on"], data["rating"], data["rewatch"], data["note"])
        messages.success(request, f"Diary entry for {entry.movie.title} saved.")
        return redirect("ratings:diary_month", entry.watched_on.year, entry.watched_on.month)
    status = 400 if form.errors else 200
    return render(
        request, "ratings/diary_entry.html", {"entry": entry, "form": form}, status=status
    )


@login_required
@require_POST
def delete_entry(request, pk):
    entry = get_object_or_404(DiaryEntry.objects.for_user(request.user), pk=pk)
    watched_on = entry.watched_on
    diary.delete_entry(request.user, entry.pk)
    messages.success(request, "Diary entry deleted (your rating of the film stays).")
    return redirect("ratings:diary_month", watched_on.year, watched_on.month)
