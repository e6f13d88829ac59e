"""``manage.py evaluate_recommender``: the brief's protocols P1 and P2, as the site serves."""

import time
from pathlib import Path

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from ratings.models import MovieLensRating
from recommender.evaluation import (
    evaluate_ranking,
    evaluate_rating_prediction,
    model_ranker,
    popularity_ranker,
)
from recommender.model import ModelParams, params_for_size


class Command(BaseCommand):
    help = (
        "Evaluate the recommender on P1 (strong generalization: nDCG@20, Recall@20 over "
        "seeds 0-4) and P2 (5-fold RMSE) using the imported MovieLens ratings or a CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("--csv", type=Path, help="A MovieLens ratings.csv instead of the DB.")
        parser.add_argument(
            "--factors",
            type=int,
            nargs="*",
            default=[],
            help="Also evaluate these factor counts (the site's own choice is always shown).",
        )
        parser.add_argument("--skip-rmse", action="store_true", help="Run P1 only.")

    def handle(self, *args, csv=None, factors=(), skip_rmse=False, **options):
        ratings = self._ratings(csv)
        site_params = params_for_size(len(ratings))
        self.stdout.write(
            f"{len(ratings):,} ratings, {ratings['userId'].nunique():,} users, "
            f"{ratings['movieId'].nunique():,} films; the site trains with "
            f"k={site_params.n_factors}."
        )
        header = f"{'method':<32} {'nDCG@20':>8} {'Recall@20':>9} {'RMSE':>7} {'seconds':>8}"
        self.stdout.write(header)
        started = time.perf_counter()
        popularity = evaluate_ranking(ratings, popularity_ranker)
        self._row("most-rated popularity", popularity, None, time.perf_counter() - started)
        choices = [site_params] + [
            ModelParams(n_factors=k) for k in factors if k != site_params.n_factors
        ]
        for params in choices:
            started = time.perf_counter()
            ranking = evaluate_ranking(ratings, model_ranker(params))
            rmse = None if skip_rmse else evaluate_rating_prediction(ratings, params).rmse
            label = f"NextFilms SVD, k={params.n_factors}"
            if params is site_params:
                label += " (site)"
            self._row(label, ranking, rmse, time.perf_counter() - started)

    def _row(self, label, ranking, rmse, seconds):
        rmse_text = f"{rmse:7.4f}" if rmse is not None else f"{'—':>7}"
        self.stdout.write(
            f"{label:<32} {ranking.ndcg:8.4f} {ranking.recall:9.4f} {rmse_text} {seconds:8.1f}"
        )

    def _ratings(self, csv):
        if csv:
            try:
                return pd.read_csv(csv, usecols=["userId", "movieId", "rating"])
            except (OSError, ValueError) as exc:
                raise CommandError(f"Cannot read {csv}: {exc}") from exc
        rows = MovieLensRating.objects.values_list("movielens_user_id", "movie_id", "rating")
        frame = pd.DataFrame.from_records(
            rows.iterator(chunk_size=50_000), columns=["userId", "movieId", "rating"]
        )
        if frame.empty:
            raise CommandError("No MovieLens ratings: run import_movielens first, or pass --csv.")
        return frame
