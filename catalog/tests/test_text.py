import pytest

from catalog.text import (
    display_title,
    known_title,
    normalize,
    parse_whole_number,
    search_text,
    series_key,
    split_alternative_titles,
    split_title_year,
)


@pytest.mark.parametrize(
    ("raw", "title", "year"),
    [
        ("Toy Story (1995)", "Toy Story", 1995),
        ("Matrix, The (1999)", "The Matrix", 1999),
        ("Babylon 5", "Babylon 5", None),
        ("Cosmos (1980–)", "Cosmos", 1980),
        ("Taxi Driver (1976) ", "Taxi Driver", 1976),
        ("Homme, L' (2001)", "L'Homme", 2001),
        (
            "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
            "The City of Lost Children",
            1995,
        ),
        ("Apollo 13 (1995)", "Apollo 13", 1995),
        ("Paris, Texas (1984)", "Paris, Texas", 1984),
        ("Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", "Amelie", 2001),
        ("Seven (a.k.a. Se7en) (1995)", "Seven", 1995),
        (
            "Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
            "Léon: The Professional",
            1994,
        ),
        ("Boot, Das (Boat, The) (1981)", "Das Boot", 1981),
        (
            "Good, the Bad and the Ugly, The (Buono, il brutto, il cattivo, Il) (1966)",
            "The Good, the Bad and the Ugly",
            1966,
        ),
        (
            "Librarian, The: The Curse of the Judas Chalice (2008)",
            "The Librarian: The Curse of the Judas Chalice",
            2008,
        ),
        (
            "Librarian: Quest for the Spear, The (2004)",
            "The Librarian: Quest for the Spear",
            2004,
        ),
        ("Crow, The: Wicked Prayer (2005)", "The Crow: Wicked Prayer", 2005),
        ("Blind Side, The  (2009)", "The Blind Side", 2009),
        # Parentheses that are part of the name stay.
        ("(500) Days of Summer (2009)", "(500) Days of Summer", 2009),
        ("Frontière(s) (2007)", "Frontière(s)", 2007),
        ("Evangelion: 3.0 You Can (Not) Redo (2012)", "Evangelion: 3.0 You Can (Not) Redo", 2012),
        (
            "Birdman: Or (The Unexpected Virtue of Ignorance) (2014)",
            "Birdman: Or (The Unexpected Virtue of Ignorance)",
            2014,
        ),
        (
            "Hommage à Zgougou (et salut à Sabine Mamou) (2002)",
            "Hommage à Zgougou (et salut à Sabine Mamou)",
            2002,
        ),
    ],
)
def test_movielens_titles_become_display_titles(raw, title, year):
    base, parsed_year = split_title_year(raw)
    assert (display_title(base), parsed_year) == (title, year)


def test_alternative_titles_are_split_off_without_their_aka():
    assert split_alternative_titles("Léon: The Professional (a.k.a. The Professional) (Léon)") == (
        "Léon: The Professional",
        ["The Professional", "Léon"],
    )
    assert split_alternative_titles("Toy Story") == ("Toy Story", [])


def test_tmdb_title_wins_over_the_movielens_form():
    raw = "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"
    assert known_title(raw, "Amélie") == "Amélie"
    assert known_title(raw, "") == "Amelie"


def test_normalize_drops_accents_case_and_punctuation():
    assert normalize("  Amélie: LE Fabuleux—Destin!  ") == "amelie le fabuleux destin"


def test_search_text_keeps_both_title_forms():
    assert search_text("The Matrix", "Matrix, The (1999)") == "the matrix | matrix the"
    assert search_text("Heat", "Heat (1995)") == "heat"
    assert search_text("Amélie", "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)") == (
        "amelie | amelie fabuleux destin d amelie poulain le"
    )


@pytest.mark.parametrize(
    ("typed", "number"),
    [("42", 42), (" 7 ", 7), ("0", 0), ("²", None), ("١٩٩٥", None), ("4.5", None), ("", None)],
)
def test_whole_numbers_are_ascii_digits_only(typed, number):
    assert parse_whole_number(typed) == number


@pytest.mark.parametrize(
    ("first", "other"),
    [
        ("Terminator, The (1984)", "Terminator 2: Judgment Day (1991)"),
        ("Rocky (1976)", "Rocky V (1990)"),
        ("Friday the 13th (1980)", "Friday the 13th Part 3: 3D (1982)"),
        (
            "Star Wars: Episode IV - A New Hope (1977)",
            "Star Wars: Episode V - The Empire Strikes Back (1980)",
        ),
        ("Toy Story (1995)", "Toy Story 3 (2010)"),
    ],
)
def test_parts_of_a_series_share_a_series_key(first, other):
    assert series_key(first) == series_key(other)


def test_different_films_have_different_series_keys():
    assert series_key("Malcolm X (1992)") != series_key("Malcolm (1986)")
    assert series_key("Heat (1995)") != series_key("Heathers (1989)")
