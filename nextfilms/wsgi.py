"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextfilms.settings")
# One BLAS thread per web worker: a recommendation is one small matrix-vector
# product, and threads fighting over the cores only lengthen the tail.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

application = get_wsgi_application()

# Import every view (and with them numpy, scipy and the recommender) and every
# template tag library now, so a gunicorn master started with --preload shares
# these pages with its workers instead of each worker importing its own copy on
# its first request.
_urlconf = get_resolver().url_patterns
get_template("base.html")
