"""Members' lists: my lists, a list's page (public or owner only), add, move, reorder.

Every change is a POST form that works without JavaScript and redirects back;
``site.js`` adds drag-and-drop, which posts the whole new order to ``reorder``.
"""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from catalog.models import Movie
from lists import services, transfer
from lists.forms import AddToListForm, FilmListForm, ListImportForm
from lists.models import FilmList, ListItem
from nextfilms.http import safe_next_url

MOVES = {"up": -1, "down": 1, "top": -services.MAX_ITEMS, "bottom": services.MAX_ITEMS}


def _own_list(request, pk):
    """The member's own list, or 404 (another member's list is none of their business)."""
    return get_object_or_404(FilmList.objects.owned_by(request.user), pk=pk)


@login_required
def my_lists(request):
    lists = FilmList.objects.owned_by(request.user).with_item_counts()
    return render(request, "lists/my_lists.html", {"lists": lists, "form": FilmListForm()})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    form = FilmListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        film_list = services.create_list(
            request.user, data["title"], data["description"], data["is_public"]
        )
        messages.success(request, f"List “{film_list.title}” created.")
        return redirect(film_list)
    return render(
        request, "lists/list_form.html", {"form": form}, status=400 if form.errors else 200
    )


def detail(request, pk):
    """A public list for anyone; a private one for its owner only (404 for everyone else)."""
    film_list = get_object_or_404(
        FilmList.objects.readable_by(request.user).select_related("owner"), pk=pk
    )
    items = list(
        film_list.items.filter(movie__is_hidden=False)
        .select_related("movie")
        .order_by("position", "id")
    )
    is_owner = request.user.is_authenticated and film_list.owner_id == request.user.pk
    return render(
        request,
        "lists/detail.html",
        {"film_list": film_list, "items": items, "is_owner": is_owner},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    film_list = _own_list(request, pk)
    form = FilmListForm(request.POST or None, instance=film_list)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "List saved.")
        return redirect(film_list)
    return render(
        request,
        "lists/list_form.html",
        {"form": form, "film_list": film_list},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def delete(request, pk):
    film_list = _own_list(request, pk)
    film_list.delete()
    messages.success(request, f"List “{film_list.title}” deleted.")
    return redirect("lists:mine")


@require_POST
def add_movie(request, movie_pk):
    """Add a film to one of the member's lists (or a new one) from the film page or a card.

    A form post redirects back with a message; a card's fetch (``X-Requested-With:
    fetch``) gets the message as JSON, with the list, so the page can stay put.
    """
    movie = get_object_or_404(Movie.objects.visible(), pk=movie_pk)
    back = safe_next_url(request, request.POST.get("next"), movie.get_absolute_url())
    fetched = request.headers.get("X-Requested-With") == "fetch"
    if not request.user.is_authenticated:
        return redirect_to_login(back)

    def answer(level, message, film_list=None, created_list=False):
        if fetched:
            data = {"ok": level != messages.ERROR, "message": message}
            if film_list is not None:
                data["list"] = {
                    "id": film_list.pk,
                    "title": film_list.title,
                    "url": film_list.get_absolute_url(),
                    "created": created_list,
                }
            return JsonResponse(data, status=400 if level == messages.ERROR else 200)
        messages.add_message(request, level, message)
        return redirect(back)

    form = AddToListForm(request.POST, lists=FilmList.objects.owned_by(request.user))
    if not form.is_valid():
        return answer(
            messages.ERROR, " ".join(form.errors.get("__all__", ["Choose one of your lists."]))
        )
    new_list = not form.cleaned_data["film_list"]
    if new_list:
        film_list = services.create_list(request.user, form.cleaned_data["new_title"])
    else:
        film_list = _own_list(request, form.cleaned_data["film_list"])
    try:
        _, created = services.add_to_list(film_list, movie)
    except services.ListFull as error:
        return answer(messages.ERROR, str(error), film_list, new_list)
    if created:
        return answer(
            messages.SUCCESS, f"Added {movie.title} to “{film_list.title}”.", film_list, new_list
        )
    return answer(
        messages.INFO, f"{movie.title} is already on “{film_list.title}”.", film_list, new_list
    )


@login_required
@require_POST
def move(request, pk, item_pk):
    film_list = _own_list(request, pk)
    offset = MOVES.get(request.POST.get("direction"))
    if offset is None:
        return HttpResponseBadRequest("Move up, down, top or bottom.")
    position = services.move_item(film_list, item_pk, offset)
    if position is None:
        messages.error(request, "That film is no longer on the list.")
    # Back to the moved film, whose button keeps the keyboard's place.
    return redirect(f"{film_list.get_absolute_url()}#item-{item_pk}")


@login_required
@require_POST
def remove(request, pk, item_pk):
    film_list = _own_list(request, pk)
    item = ListItem.objects.filter(film_list=film_list, pk=item_pk).select_related("movie").first()
    if item is not None and services.remove_from_list(film_list, item.pk):
        messages.success(request, f"Removed {item.movie.title} from the list.")
    return redirect(film_list)


@login_required
@require_POST
def reorder(request, pk):
    """The whole order at once (``item`` ids, top first), as drag-and-drop sends it."""
    film_list = _own_list(request, pk)
    try:
        item_ids = [int(value) for value in request.POST.getlist("item")]
        services.reorder(film_list, item_ids)
    except ValueError:
        return HttpResponse(
            "The list has changed since the page was loaded: reload it.", status=409
        )
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    messages.success(request, "Order saved.")
    return redirect(film_list)


def movie_detail_extras(request, movie):
    """The film page's "add to a list" form: the member's lists, and those holding the film."""
    if not request.user.is_authenticated:
        return {}
    lists = list(FilmList.objects.owned_by(request.user).only("id", "title"))
    holding = set(
        ListItem.objects.filter(film_list__owner=request.user, movie=movie).values_list(
            "film_list_id", flat=True
        )
    )
    return {
        "add_to_list_form": AddToListForm(lists=lists, auto_id=f"add-list-{movie.pk}-%s"),
        "lists_holding": [film_list for film_list in lists if film_list.pk in holding],
    }


def export(request, pk):
    """The list as Letterboxd's list CSV, for anyone who may read it."""
    film_list = get_object_or_404(FilmList.objects.readable_by(request.user), pk=pk)
    items = film_list.items.filter(movie__is_hidden=False).select_related("movie")
    text = transfer.export_csv(film_list, items.order_by("position", "id"))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    filename = slugify(film_list.title) or f"list-{film_list.pk}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    """A new list from a CSV file (Letterboxd's list export, or a film per row)."""
    form = ListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = transfer.import_list(
                request.user,
                upload.read(transfer.MAX_BYTES + 1),
                PurePath(upload.name).stem.replace("-", " ").replace("_", " "),
                form.cleaned_data["is_public"],
            )
        except transfer.TransferError as error:
            form.add_error("file", str(error))
        else:
            skipped = len(result.unmatched) + len(result.invalid)
            message = f"List “{result.film_list.title}” made with {result.added} films."
            if skipped:
                message += f" {skipped} row{'s' if skipped != 1 else ''} could not be added."
            messages.success(request, message)
            for problem in (result.unmatched + [str(row) for row in result.invalid])[:20]:
                messages.warning(request, problem)
            return redirect(result.film_list)
    return render(request, "lists/import.html", {"form": form}, status=400 if form.errors else 200)
