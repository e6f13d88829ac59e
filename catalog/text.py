"""Title handling shared by the importer, search and CSV imports.

MovieLens titles look like ``"Matrix, The (1999)"``: the year in parentheses at
the end (sometimes missing, sometimes a range), a leading article moved behind a
comma, and sometimes an alternative title in parentheses.
"""

import re
import unicodedata

# Articles MovieLens moves behind a comma, in the languages its catalog uses.
_ARTICLES = (
    "The|A|An|La|Le|Les|L'|El|Los|Las|Il|Lo|Gli|I|Der|Die|Das|Den|Det|De|Het|"
    "Een|Ein|Eine|Un|Une|Uno|Una|O|Os|As|Um|Uma|Da"
)
_YEAR_AT_END = re.compile(r"\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\s*\)\s*$")
_ARTICLE_AT_END = re.compile(rf"^(?P<body>.+), (?P<article>{_ARTICLES})(?P<rest>\s*\(.*\))?$")


def split_title_year(raw_title):
    """Return ``(title, year)`` from a MovieLens title; ``year`` may be ``None``."""
    raw_title = raw_title.strip()
    match = _YEAR_AT_END.search(raw_title)
    if not match:
        return raw_title, None
    return raw_title[: match.start()].strip(), int(match.group(1))


def display_title(title):
    """Move a trailing article to the front: ``"Matrix, The"`` → ``"The Matrix"``."""
    match = _ARTICLE_AT_END.match(title)
    if not match:
        return title
    article = match.group("article")
    joiner = "" if article.endswith("'") else " "
    rest = match.group("rest") or ""
    return f"{article}{joiner}{match.group('body')}{rest}"


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
