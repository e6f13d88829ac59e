import pytest

from catalog.text import (
    display_title,
    normalize,
    parse_whole_number,
    search_text,
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
            "The City of Lost Children (Cité des enfants perdus, La)",
            1995,
        ),
        ("Apollo 13 (1995)", "Apollo 13", 1995),
        ("Paris, Texas (1984)", "Paris, Texas", 1984),
    ],
)
def test_movielens_titles_become_display_titles(raw, title, year):
    base, parsed_year = split_title_year(raw)
    assert (display_title(base), parsed_year) == (title, year)


def test_normalize_drops_accents_case_and_punctuation():
    assert normalize("  Amélie: LE Fabuleux—Destin!  ") == "amelie le fabuleux destin"


def test_search_text_keeps_both_title_forms():
    assert search_text("The Matrix", "Matrix, The (1999)") == "the matrix | matrix the"
    assert search_text("Heat", "Heat (1995)") == "heat"


@pytest.mark.parametrize(
    ("typed", "number"),
    [("42", 42), (" 7 ", 7), ("0", 0), ("²", None), ("١٩٩٥", None), ("4.5", None), ("", None)],
)
def test_whole_numbers_are_ascii_digits_only(typed, number):
    assert parse_whole_number(typed) == number
