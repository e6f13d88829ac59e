"""TMDB, one folder: ``api`` (HTTP client and errors), ``parsing`` (bodies into values),
``limits`` (the request rate and connections shared by every worker), ``sync`` (one
film stored idempotently) and ``runs`` (backfill, changes and chunked runs).
The models they fill stay in ``catalog.models``.
"""
