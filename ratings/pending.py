"""A visitor's first click on a star or a list toggle, kept through log-in or sign-up.

Visitors' pages are cached for everyone, so their star and list forms are GET
forms to the log-in page naming the film (``movie``), the action (``action``:
``rate`` or a list) and the stars (``value``). The log-in and sign-up pages keep
that choice in the session and say why the visitor is there; once the visitor
has logged in or signed up, it is checked again and applied. A GET never
changes a member's films: only the log-in or sign-up POST applies the choice.
"""

from dataclasses import dataclass

from django.contrib import messages

from catalog.models import Movie
from ratings import actions
from ratings.models import ListEntry

SESSION_KEY = "pending_action"
RATE = "rate"
# For each list: what the visitor set out to do, and what was done.
LIST_ACTIONS = {
    ListEntry.Kind.FAVORITE: (
        "add {title} to your favorites",
        "Added {title} to your favorites.",
    ),
    ListEntry.Kind.WATCHLIST: (
        "add {title} to your watchlist",
        "Added {title} to your watchlist.",
    ),
    ListEntry.Kind.NOT_INTERESTED: (
        "hide {title} from your suggestions",
        "Hidden: we won't suggest {title} again.",
    ),
}


@dataclass(frozen=True)
class PendingAction:
    movie: Movie
    action: str
    value: float | None = None

    @property
    def goal(self):
        """What the visitor set out to do: "rate Heat", "add Heat to your watchlist"."""
        if self.action == RATE:
            return f"rate {self.movie.title}"
        return LIST_ACTIONS[self.action][0].format(title=self.movie.title)

    @property
    def promise(self):
        if self.action == RATE:
            return f"we'll save your ★{self.value:g} right after"
        return "we'll do it right after"

    def as_query(self):
        """The query parameters that name this action, for links between log-in and sign-up."""
        query = {"movie": self.movie.pk, "action": self.action}
        if self.value is not None:
            query["value"] = f"{self.value:g}"
        return query

    def apply(self, user):
        """Do it for ``user``; returns the message for them."""
        if self.action == RATE:
            return actions.rate_movie(user, self.movie, self.value)
        actions.set_on_list(user, self.movie, self.action, on=True)
        return LIST_ACTIONS[self.action][1].format(title=self.movie.title)


def parse(data):
    """The action ``data`` (a query or a stored dict) names, or None if it names none."""
    action = data.get("action")
    movie_id = str(data.get("movie", ""))
    if not movie_id.isdigit() or action not in {RATE, *LIST_ACTIONS}:
        return None
    value = None
    if action == RATE:
        value = actions.parse_stars(data.get("value"))
        if value is None:
            return None
    movie = Movie.objects.visible().filter(pk=int(movie_id)).first()
    return PendingAction(movie, action, value) if movie else None


def query_for(movie, action, data):
    """Log-in query parameters for a visitor's POST to an action (a page open too long)."""
    if action != RATE and data.get("on") != "1":
        return {}
    pending = parse({"movie": movie.pk, "action": action, "value": data.get("value")})
    return pending.as_query() if pending else {}


def remember(request):
    """On a GET, keep the action the query names (forget any older one); return the kept one."""
    if request.method == "GET":
        pending = parse(request.GET)
        if pending:
            request.session[SESSION_KEY] = pending.as_query()
        else:
            request.session.pop(SESSION_KEY, None)
        return pending
    stored = request.session.get(SESSION_KEY)
    return parse(stored) if stored else None


def apply(request):
    """After log-in or sign-up: do the kept action for the member, with a message."""
    stored = request.session.pop(SESSION_KEY, None)
    # Checked again: staff may have hidden the film since.
    pending = parse(stored) if stored else None
    if pending:
        messages.success(request, pending.apply(request.user))
