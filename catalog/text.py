"""Title handling shared by the importer, search and CSV imports.

MovieLens titles look like ``"Matrix, The (1999)"``: the year in parentheses at
the end (sometimes missing, sometimes a range), a leading article moved behind a
comma (or behind the first part of a title with a colon: ``"Crow, The: Wicked
Prayer"``), and often alternative titles in parentheses: the original title
(``"Amelie (Fabuleux destin d'Amélie Poulain, Le)"``) or an a.k.a.
(``"Seven (a.k.a. Se7en)"``). The site shows the name before the parentheses,
article first; search keeps the whole MovieLens form.
"""

import re
import unicodedata

# Articles MovieLens moves behind a comma, in the languages its catalog uses.
_ARTICLES = (
    "The|A|An|La|Le|Les|L'|El|Los|Las|Il|Lo|Gli|I|Der|Die|Das|Den|Det|De|Het|"
    "Een|Ein|Eine|Un|Une|Uno|Una|O|Os|As|Um|Uma|Da"
)
_YEAR_AT_END = re.compile(r"\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\s*\)\s*$")
_ARTICLE_AT_END = re.compile(rf"^(?P<body>.+), (?P<article>{_ARTICLES})$")
_ARTICLE_BEFORE_COLON = re.compile(rf"^(?P<body>[^:]+), (?P<article>{_ARTICLES})(?P<rest>:.*)$")
# A parenthesis after a space, closing the title: an alternative title
# ("Frontière(s)" keeps its parenthesis).
_TRAILING_PARENTHESES = re.compile(r"\s+\((?P<inside>[^()]*)\)\s*$")
_AKA = re.compile(r"^(?:a\.k\.a\.|aka)\s+", re.IGNORECASE)
# Parentheses that belong to the name: "Birdman: Or (The Unexpected Virtue of
# Ignorance)", "Hommage à Zgougou (et salut à Sabine Mamou)".
_NAME_GOES_ON_BEFORE = re.compile(r"\b(?:or|Or)$")
_NAME_GOES_ON_INSIDE = re.compile(r"^(?:and|or|et|ou)\b")


def split_title_year(raw_title):
    """Return ``(title, year)`` from a MovieLens title; ``year`` may be ``None``."""
    raw_title = raw_title.strip()
    match = _YEAR_AT_END.search(raw_title)
    if not match:
        return raw_title, None
    return raw_title[: match.start()].strip(), int(match.group(1))


def split_alternative_titles(title):
    """``(main title, [alternative titles])`` of a MovieLens title without its year.

    ``"Léon: The Professional (a.k.a. The Professional) (Léon)"`` gives
    ``("Léon: The Professional", ["The Professional", "Léon"])``; alternative
    titles keep MovieLens's article order (``"Fabuleux destin d'Amélie Poulain, Le"``).
    """
    main, alternatives = " ".join(title.split()), []
    while match := _TRAILING_PARENTHESES.search(main):
        before, inside = main[: match.start()], match.group("inside").strip()
        if _NAME_GOES_ON_BEFORE.search(before) or _NAME_GOES_ON_INSIDE.match(inside):
            break
        alternatives.insert(0, _AKA.sub("", inside))
        main = before
    return main, [alternative for alternative in alternatives if alternative]


def display_title(title):
    """The name people know from a MovieLens title without its year.

    Alternative titles in parentheses go, and a moved article comes back to the
    front: ``"City of Lost Children, The (Cité des enfants perdus, La)"`` →
    ``"The City of Lost Children"``; ``"Librarian, The: The Curse of the Judas
    Chalice"`` → ``"The Librarian: The Curse of the Judas Chalice"``.
    """
    main, _ = split_alternative_titles(title)
    match = _ARTICLE_AT_END.match(main) or _ARTICLE_BEFORE_COLON.match(main)
    if not match:
        return main
    article = match.group("article")
    joiner = "" if article.endswith("'") else " "
    rest = match.groupdict().get("rest") or ""
    return f"{article}{joiner}{match.group('body')}{rest}"


def known_title(movielens_title, tmdb_title=""):
    """The title the site shows: TMDB's when known ("Amélie"), else MovieLens's main title."""
    return tmdb_title.strip() or display_title(split_title_year(movielens_title)[0])


def normalize(text):
    """Lower-case, strip accents and punctuation, collapse spaces (for matching)."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = ascii_text.replace("&", " and ").lower()
    return " ".join(re.sub(r"[^\w]+", " ", ascii_text).split())


def parse_whole_number(text):
    """The whole number ``text`` spells in ASCII digits, or ``None``.

    ``str.isdigit`` also accepts "²" or "①", which ``int`` then refuses, so
    checks of typed input use this instead.
    """
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


# A sequel's number at the end of its name: "2", "II", "Part 3", "Chapter IV".
_SEQUEL_NUMBER = re.compile(
    r"(?:\s+(?:part|chapter|episode|volume|vol))?\s+(?:\d+|ii|iii|iv|v|vi|vii|viii|ix)$"
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an) ")


def series_key(movielens_title):
    """What the parts of a series (and remakes) share in their titles.

    ``"Terminator, The (1984)"`` and ``"Terminator 2: Judgment Day (1991)"`` both
    give ``"terminator"``: the subtitle after a colon, a sequel number and a
    leading article go. Titles alone cannot tell "The Matrix Reloaded" is a sequel.
    """
    name = display_title(split_title_year(movielens_title)[0])
    name = re.split(r": | - ", name, maxsplit=1)[0]
    key = _LEADING_ARTICLE.sub("", normalize(name))
    return _SEQUEL_NUMBER.sub("", key) or key


SEARCH_SEPARATOR = " | "


def search_text(title, raw_title):
    """The normalized text search matches: the display title, then the MovieLens form.

    ``"The Matrix"`` / ``"Matrix, The (1999)"`` gives ``"the matrix | matrix the"``,
    so "matrix" is a prefix match of the second form.
    """
    normalized = normalize(title)
    raw_normalized = normalize(split_title_year(raw_title)[0])
    if raw_normalized and raw_normalized != normalized:
        return f"{normalized}{SEARCH_SEPARATOR}{raw_normalized}"
    return normalized


_IMDB_ID = re.compile(r"(?:tt)?(\d{1,10})")


def normalize_imdb_id(value):
    """``"tt0133093"``, ``"TT133093"`` or ``"133093"`` → ``"tt0133093"``; ``""`` if it is none.

    MovieLens writes IMDb ids as bare numbers, IMDb exports and TMDB with the
    ``tt`` prefix; the catalog keeps ``tt`` and at least seven digits.
    """
    match = _IMDB_ID.fullmatch(str(value or "").strip().lower())
    if not match or int(match.group(1)) == 0:
        return ""
    return f"tt{int(match.group(1)):07d}"
