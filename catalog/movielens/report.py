"""What an import did, and how long each of its phases took."""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class MovieLensImportReport:
    movies_created: int = 0
    movies_updated: int = 0
    ratings: int = 0
    users: int = 0
    genres: int = 0
    tags: int = 0
    seconds: dict = field(default_factory=dict)

    @contextmanager
    def timed(self, phase):
        started = time.perf_counter()
        yield
        self.seconds[phase] = time.perf_counter() - started
        logger.info("import %s: %.1f s", phase, self.seconds[phase])
