"""Celery tasks of the recommender."""

import logging

from celery import shared_task

from recommender.training import TrainingInProgress, train_and_publish

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def retrain_recommender(force=False):
    """Nightly (Celery beat) retraining; skips when the training data did not change,
    and when another training is running (the nightly one, or staff's "Train now")."""
    try:
        message = train_and_publish(force=force).message
    except TrainingInProgress as refused:
        message = str(refused)
    logger.info("Retraining: %s", message)
    return message
