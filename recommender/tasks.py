"""Celery tasks of the recommender."""

from celery import shared_task

from recommender.training import train_and_publish


@shared_task(acks_late=True, ignore_result=True)
def retrain_recommender(force=False):
    """Nightly (Celery beat) retraining; skips when the training data did not change."""
    return train_and_publish(force=force).message
