"""``manage.py evaluate_recommender``: the brief's protocols P1–P3 and the list measures."""

import time
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Movie, MovieTag
from ratings.models import MovieLensRating
from recommender.evaluation import (
    ease_ranker,
    evaluate_ranking,
    evaluate_rating_prediction,
    model_ranker,
    popularity_ranker,
    tmdb_export_content,
)
from recommender.factorization import ModelParams, params_for_size
from recommender.group_evaluation import evaluate_groups
from recommender.list_quality import MOST_RATED, before_issue_14, list_quality
from recommender.training import content_tables


class Command(BaseCommand):
    help = (
        "Evaluate the recommender on P1 (strong generalization: nDCG@20, Recall@20 over "
        "seeds 0-4), P3 (the same, latest 20%% of each member's ratings hidden) and P2 "
        "(5-fold RMSE) using the imported MovieLens ratings or a CSV; --lists adds the "
        "list measures of recommender.list_quality; --groups the group protocol "
        "(recommender.group_evaluation)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv",
            type=Path,
            help="A MovieLens ratings.csv instead of the DB (movies.csv and tags.csv beside it "
            "are read for --lists).",
        )
        parser.add_argument(
            "--tmdb-csv",
            type=Path,
            help="With --csv: a TMDB export (TMDB 5000's movies CSV) whose keywords and "
            "production companies the site's model factorizes with the ratings, as training "
            "does with the catalog's; links.csv beside the ratings maps its ids. Without "
            "--csv the catalog's own keywords and companies are used.",
        )
        parser.add_argument(
            "--factors",
            type=int,
            nargs="*",
            default=[],
            help="Also evaluate these factor counts (the site's own choice is always shown).",
        )
        parser.add_argument("--seeds", type=int, default=5, help="Seeds 0..N-1 (default 5).")
        parser.add_argument("--skip-rmse", action="store_true", help="Leave out P2.")
        parser.add_argument("--skip-ease", action="store_true", help="Leave out the EASE rows.")
        parser.add_argument("--lists", action="store_true", help="Also run the list measures.")
        parser.add_argument(
            "--groups",
            action="store_true",
            help="Only the group protocol: groups of 2, 4 and 8 held-out users, random and "
            "similar taste; group nDCG@20, mean and minimum over members.",
        )
        parser.add_argument(
            "--group-draws",
            type=int,
            default=1,
            help="With --groups: form the groups this many times per seed (default 1, the "
            "protocol's own groups).",
        )
        parser.add_argument(
            "--before",
            action="store_true",
            help="Also evaluate the site's serving as it was before issue #14 (same training).",
        )

    def handle(
        self, *args, csv=None, tmdb_csv=None, factors=(), seeds=5, skip_rmse=False, **options
    ):
        content = self._content(csv, tmdb_csv)
        ratings = self._ratings(csv)
        seeds = range(seeds)
        site_params = params_for_size(len(ratings))
        temporal = "timestamp" in ratings
        self.stdout.write(
            f"{len(ratings):,} ratings, {ratings['userId'].nunique():,} users, "
            f"{ratings['movieId'].nunique():,} films; the site trains with "
            f"k={site_params.n_factors}; seeds 0-{max(seeds)}; "
            + (
                f"content rows: {content['feature'].nunique():,} keywords and companies of "
                f"{content['movieId'].nunique():,} films."
                if content is not None
                else "no content rows (pass --tmdb-csv)."
            )
        )
        if options["groups"]:
            self._groups(ratings, seeds, site_params, options["group_draws"], content)
            return
        self.stdout.write(
            f"{'method':<32} {'P1 nDCG':>8} {'P1 Rec':>7} {'P3 nDCG':>8} {'P3 Rec':>7} "
            f"{'RMSE':>7} {'seconds':>8}"
        )
        rows = [("most-rated popularity", popularity_ranker, None)]
        if not options["skip_ease"]:
            rows.append(("EASE, λ=1000, raw ratings", ease_ranker(1000.0), None))
        choices = [site_params] + [
            ModelParams(n_factors=k) for k in factors if k != site_params.n_factors
        ]
        # The site weighs what a member rated in this sitting more (recency weights,
        # ages from the request): "(site)" is the list asked for a day after the
        # member's last rating, as P1's members would get it; "just rated" right
        # after it, when their last session counts most. P2 does not depend on it.
        for params in choices:
            label = f"NextFilms, k={params.n_factors}"
            if params is site_params:
                rows.append((label + " (site)", model_ranker(params, 1.0), params))
                rows.append((label + ", just rated", model_ranker(params), None))
            else:
                rows.append((label, None, params))
        if options["before"]:
            rows.append(("NextFilms before issue #14", None, before_issue_14(site_params)))
        for label, fit, params in rows:
            started = time.perf_counter()
            fit = fit or model_ranker(params)
            p1 = evaluate_ranking(ratings, fit, seeds=seeds, content=content)
            p3 = None
            if temporal:
                p3 = evaluate_ranking(ratings, fit, seeds=seeds, temporal=True, content=content)
            rmse = None
            if params is not None and not skip_rmse:
                rmse = evaluate_rating_prediction(ratings, params, content=content).rmse
            self._row(label, p1, p3, rmse, time.perf_counter() - started)
        if options["lists"]:
            self._lists(ratings, csv, seeds, site_params, content)

    def _row(self, label, p1, p3, rmse, seconds):
        def number(value, width):
            return f"{value:{width}.4f}" if value is not None else f"{'—':>{width}}"

        self.stdout.write(
            f"{label:<32} {number(p1.ndcg, 8)} {number(p1.recall, 7)} "
            f"{number(p3 and p3.ndcg, 8)} {number(p3 and p3.recall, 7)} "
            f"{number(rmse, 7)} {seconds:8.1f}"
        )

    def _groups(self, ratings, seeds, params, draws=1, content=None):
        started = time.perf_counter()
        rows = evaluate_groups(ratings, params, seeds=seeds, draws=draws, content=content)
        out = self.stdout.write
        out("\nGroup protocol: nDCG@20 of one list per group, mean / minimum over its members")
        if draws > 1:
            out(f"(groups formed {draws} times per seed)")
        out(
            f"{'size':>4} {'groups':<8} {'method':<20} {'mean':>7} {'minimum':>8} {'groups':>7} "
            f"{'min − average of scores (s.e.)':>31}"
        )
        for row in sorted(rows, key=lambda row: (row.size, row.kind)):
            out(
                f"{row.size:>4} {row.kind:<8} {row.method:<20} {row.mean_ndcg:7.4f} "
                f"{row.min_ndcg:8.4f} {row.n_groups:7d} "
                f"{row.min_vs_average:+22.4f} ({row.min_vs_average_se:.4f})"
            )
        out(f"  ({time.perf_counter() - started:.0f} s)")

    def _lists(self, ratings, csv, seeds, params, content=None):
        movies, tags = self._catalog(csv)
        started = time.perf_counter()
        measures = list_quality(ratings, movies, tags, seeds=seeds, params=params, content=content)
        out = self.stdout.write
        coherence = measures["coherence"]
        out("\nList measures over the P1 members (before → after):")
        out(
            f"  Spearman(list order, predicted rating), top 20: "
            f"{coherence['before']:.3f} → {coherence['after']:.3f}"
        )
        out(
            f"  top 20 with a film predicted < 3.5★ though 20 candidates reach it: "
            f"{coherence['broken_before']:.1%} → {coherence['broken_after']:.1%}"
        )
        react = measures["reactivity"]
        out(
            f"  rarely rated genre's share of the top 20 after five new 5★ of it: "
            f"{react['before']:.1%} → {react['after']:.1%} "
            f"({react['after'] / max(react['before'], 1e-9):.1f}×; "
            f"{react['after_without_recency']:.1%} without recency weights)"
        )
        reasons = measures["reasons"]
        out(
            f"  cards whose reason is a top-3 contributor sharing a genre: "
            f"{reasons['before']:.1%} → {reasons['after']:.1%} "
            f"(cards with a reason: {reasons['after_with_reason']:.1%})"
        )
        similar = measures["more_like_this"]
        out(
            f"  films with another series part in the catalog ({similar['series_films']:,}) "
            f"finding one in their top 12: {similar['series_before']:.1%} → "
            f"{similar['series_after']:.1%} (model alone {similar['series_model_only']:.1%})"
        )
        out(
            f"  the {MOST_RATED} most rated films: share of their top 12 rated < 5 times "
            f"{similar['popular_thin_before']:.1%} → {similar['popular_thin_after']:.1%} "
            f"({similar['popular_thin_unguarded']:.1%} without the count prior)"
        )
        out(
            f"  films rated < 10 times ({similar['low_count_films']:,}): list films sharing a "
            f"genre {similar['genre_overlap_before']:.1%} → {similar['genre_overlap_after']:.1%}"
        )
        obscurity = measures["obscurity"]
        out(
            f"  median rating count of the top 20 (catalog median "
            f"{obscurity['catalog_median']:.0f}), by popular ↔ obscure step:"
        )
        for step, values in obscurity["steps"].items():
            out(
                f"    {step:+d}: median {values['median_count']:.0f} ratings, "
                f"{values['predicted_4']:.0%} predicted ★4 or more"
            )
        out("  hidden ratings by their rank in the member's list (calibration):")
        for (first, last), band in measures["calibration"].items():
            ranks = f"{first}-{last}" if last else f"{first}+"
            out(
                f"    ranks {ranks:<8} {band['n']:>6,} ratings, predicted "
                f"{band['predicted']:.2f}, actual {band['actual']:.2f}, "
                f"{band['liked']:.0%} rated ★4 or more"
            )
        out(f"  ({time.perf_counter() - started:.0f} s)")

    def _ratings(self, csv):
        if csv:
            try:
                return pd.read_csv(
                    csv, usecols=lambda c: c in {"userId", "movieId", "rating", "timestamp"}
                )
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {csv}: {exc}") from exc
        rows = MovieLensRating.objects.values_list(
            "movielens_user_id", "movie_id", "rating", "timestamp"
        )
        frame = pd.DataFrame.from_records(
            rows.iterator(chunk_size=50_000), columns=["userId", "movieId", "rating", "timestamp"]
        )
        if frame.empty:
            raise CommandError("No MovieLens ratings: run import_movielens first, or pass --csv.")
        return frame

    def _content(self, csv, tmdb_csv):
        """Content features (movieId, feature) in the ratings' ids, or None."""
        if tmdb_csv:
            if not csv:
                raise CommandError("--tmdb-csv needs --csv (its links.csv maps TMDB ids).")
            try:
                return tmdb_export_content(tmdb_csv, csv.parent / "links.csv")
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot read {tmdb_csv} with its links: {exc}") from exc
        if csv:
            return None
        # The DB's MovieLens ratings name films by movielens id.
        rows = []
        for kind, through in content_tables().items():
            for movielens_id, feature_id in through.objects.exclude(
                movie__movielens_id=None
            ).values_list("movie__movielens_id", f"{kind}_id"):
                rows.append((movielens_id, f"{kind}:{feature_id}"))
        return pd.DataFrame(rows, columns=["movieId", "feature"]) if rows else None

    def _catalog(self, csv):
        """Movies (movieId, title, genres) and tags (movieId, tag) in the ratings' ids."""
        if csv:
            try:
                movies = pd.read_csv(csv.parent / "movies.csv")
            except OSError as exc:
                raise CommandError(f"--lists needs movies.csv beside {csv}: {exc}") from exc
            tags_path = csv.parent / "tags.csv"
            return movies, pd.read_csv(tags_path) if tags_path.exists() else None
        # The DB's MovieLens ratings name films by movielens id.
        movies = Movie.objects.exclude(movielens_id=None).prefetch_related("genres")
        frame = pd.DataFrame(
            [
                (
                    movie.movielens_id,
                    movie.movielens_title or movie.title,
                    "|".join(genre.name for genre in movie.genres.all()),
                )
                for movie in movies.iterator(chunk_size=2000)
            ],
            columns=["movieId", "title", "genres"],
        )
        tags = pd.DataFrame(
            MovieTag.objects.values_list("movie__movielens_id", "tag", "count"),
            columns=["movieId", "tag", "count"],
        )
        tags = tags.loc[tags.index.repeat(tags["count"].clip(upper=3))]
        return frame, tags[["movieId", "tag"]]
