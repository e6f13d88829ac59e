import numpy as np

from recommender.content import series_ids


def test_a_tmdb_collection_joins_parts_whose_titles_differ():
    titles = [
        "Matrix, The (1999)",
        "Matrix Reloaded, The (2003)",
        "Matrix Revolutions, The (2003)",
        "Heat (1995)",
        "Terminator, The (1984)",
        "Terminator 2: Judgment Day (1991)",
    ]
    by_title = series_ids(titles)
    assert by_title[0] == 0  # "matrix" alone: the sequels' titles say "matrix reloaded"

    ids = series_ids(titles, [2344, 2344, 2344, None, 528, None])

    assert ids[0] == ids[1] == ids[2] != 0
    assert ids[3] == 0
    # A part without a collection still joins its series by title.
    assert ids[4] == ids[5] != 0
    assert ids[4] != ids[0]


def test_a_collection_of_one_film_in_the_catalog_is_no_series():
    ids = series_ids(["Heat (1995)", "Alien (1979)"], [10, 11])
    assert np.array_equal(ids, [0, 0])
