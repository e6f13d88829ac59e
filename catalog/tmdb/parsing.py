"""What a TMDB movie-details body means for us, as plain values.

``parse_movie`` turns a body (details with credits, videos, keywords and release
dates appended) into a ``MovieMetadata``; it is a pure function, tolerant of the
API's nulls, empty strings and missing keys.
"""

from dataclasses import dataclass
from datetime import date

from catalog.text import normalize_imdb_id

TOP_CAST = 15
MAX_RUNTIME_MINUTES = 32_767
# Longest values the columns take (see catalog.models).
MAX_LENGTHS = {
    "title": 300,
    "tagline": 500,
    "path": 200,
    "language": 16,
    "name": 200,
    "character": 300,
    "job": 100,
    "video_key": 64,
}


@dataclass(frozen=True)
class CastMember:
    person_tmdb_id: int
    name: str
    character: str
    order: int
    profile_path: str


@dataclass(frozen=True)
class CrewMember:
    person_tmdb_id: int
    name: str
    job: str
    department: str
    profile_path: str


@dataclass(frozen=True)
class MovieMetadata:
    """The parts of a TMDB movie-details body that NextFilms stores."""

    tmdb_id: int
    imdb_id: str
    title: str
    overview: str
    tagline: str
    runtime: int | None
    release_date: date | None
    poster_path: str
    backdrop_path: str
    original_language: str
    vote_average: float | None
    vote_count: int | None
    popularity: float | None
    genres: tuple[str, ...]
    cast: tuple[CastMember, ...]
    directors: tuple[CrewMember, ...]
    writers: tuple[CrewMember, ...]
    keywords: tuple[tuple[int, str], ...]
    trailer_youtube_key: str
    # production_companies as (TMDB id, name).
    companies: tuple[tuple[int, str], ...] = ()
    # belongs_to_collection: the series TMDB puts the film in (None, "" for none).
    collection_id: int | None = None
    collection_name: str = ""


def parse_movie(body):
    """``MovieMetadata`` from a ``/movie/{id}?append_to_response=…`` body."""
    crew = _crew(_section(body, "credits").get("crew"))
    return MovieMetadata(
        tmdb_id=whole_number(body.get("id")),
        imdb_id=normalize_imdb_id(_text(body.get("imdb_id"))),
        title=_text(body.get("title"), MAX_LENGTHS["title"]),
        overview=_text(body.get("overview")),
        tagline=_text(body.get("tagline"), MAX_LENGTHS["tagline"]),
        runtime=_runtime(body.get("runtime")),
        release_date=_date(body.get("release_date")),
        poster_path=_text(body.get("poster_path"), MAX_LENGTHS["path"]),
        backdrop_path=_text(body.get("backdrop_path"), MAX_LENGTHS["path"]),
        original_language=_text(body.get("original_language"), MAX_LENGTHS["language"]),
        vote_average=_float(body.get("vote_average")),
        vote_count=whole_number(body.get("vote_count")),
        popularity=_float(body.get("popularity")),
        genres=tuple(
            _text(genre.get("name")) for genre in _dicts(body.get("genres")) if genre.get("name")
        ),
        cast=_top_cast(_section(body, "credits").get("cast")),
        directors=tuple(member for member in crew if member.job == "Director"),
        writers=tuple(member for member in crew if member.department == "Writing"),
        keywords=_named(_section(body, "keywords").get("keywords")),
        companies=_named(body.get("production_companies")),
        trailer_youtube_key=choose_trailer_key(_section(body, "videos").get("results")),
        collection_id=whole_number(_section(body, "belongs_to_collection").get("id")),
        collection_name=_text(
            _section(body, "belongs_to_collection").get("name"), MAX_LENGTHS["title"]
        ),
    )


def choose_trailer_key(videos):
    """The YouTube key of the film's trailer: an official Trailer, then any Trailer,
    then a Teaser; within each, the first TMDB lists. Empty when there is none."""
    youtube = [
        video for video in _dicts(videos) if video.get("site") == "YouTube" and video.get("key")
    ]
    preferences = [
        lambda video: video.get("type") == "Trailer" and video.get("official") is True,
        lambda video: video.get("type") == "Trailer",
        lambda video: video.get("type") == "Teaser",
    ]
    for preferred in preferences:
        for video in youtube:
            if preferred(video):
                return _text(video["key"], MAX_LENGTHS["video_key"])
    return ""


def _top_cast(cast):
    members, seen = [], set()
    for entry in sorted(_dicts(cast), key=lambda entry: whole_number(entry.get("order")) or 0):
        person_id = whole_number(entry.get("id"))
        character = _text(entry.get("character"), MAX_LENGTHS["character"])
        # One row per person and role: TMDB occasionally repeats an entry.
        if not person_id or (person_id, character) in seen:
            continue
        seen.add((person_id, character))
        members.append(
            CastMember(
                person_tmdb_id=person_id,
                name=_text(entry.get("name"), MAX_LENGTHS["name"]),
                character=character,
                order=len(members),
                profile_path=_text(entry.get("profile_path"), MAX_LENGTHS["path"]),
            )
        )
        if len(members) == TOP_CAST:
            break
    return tuple(members)


def _crew(crew):
    members, seen = [], set()
    for entry in _dicts(crew):
        person_id = whole_number(entry.get("id"))
        job = _text(entry.get("job"), MAX_LENGTHS["job"])
        if not person_id or (person_id, job) in seen:
            continue
        seen.add((person_id, job))
        members.append(
            CrewMember(
                person_tmdb_id=person_id,
                name=_text(entry.get("name"), MAX_LENGTHS["name"]),
                job=job,
                department=_text(entry.get("department"), MAX_LENGTHS["job"]),
                profile_path=_text(entry.get("profile_path"), MAX_LENGTHS["path"]),
            )
        )
    return tuple(members)


def _runtime(value):
    minutes = whole_number(value)
    # TMDB writes 0 for "unknown"; a handful of art films run past what the column holds.
    return minutes if minutes and 0 < minutes <= MAX_RUNTIME_MINUTES else None


def _named(entries):
    """``((id, name), ...)`` from a list of ``{"id", "name"}`` (keywords, companies)."""
    found = {}
    for entry in _dicts(entries):
        entry_id, name = (
            whole_number(entry.get("id")),
            _text(entry.get("name"), MAX_LENGTHS["name"]),
        )
        if entry_id and name:
            found.setdefault(entry_id, name)
    return tuple(found.items())


def _section(body, name):
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value, max_length=None):
    if value is None:
        return ""
    value = str(value).strip()
    return value[:max_length] if max_length else value


def whole_number(value):
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _float(value):
    if isinstance(value, bool):
        return None
    try:
        return float(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
