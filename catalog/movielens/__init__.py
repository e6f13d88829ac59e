"""Reading a MovieLens data set (ml-latest-small, ml-latest, ml-32m) into the catalog.

By stage: ``source`` opens the data set (a zip, a folder or a URL to download)
and reads its CSV files with line-numbered errors; ``parse`` validates movies,
links and tags; ``store`` writes films, genres and tags. The ratings are the
ratings app's (``ratings.movielens``), which runs the whole import in one
transaction.
"""
