"""Celery tasks of the recommender."""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connections

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


def queue_retraining():
    """Queue a forced retraining and return at once.

    With a broker a worker takes it; with tasks in-process (the zero-setup site)
    it runs in a thread of this process, so the page that asked is not held for
    the length of a training.
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        retrain_recommender.delay(force=True)
        return
    threading.Thread(target=_retrain_in_this_process, name="train-now", daemon=True).start()


def _retrain_in_this_process():
    try:
        retrain_recommender.apply(kwargs={"force": True})
    except Exception:
        logger.exception("Retraining in the background failed")
    finally:
        connections.close_all()
