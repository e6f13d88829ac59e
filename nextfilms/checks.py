"""Deployment checks (`manage.py check --deploy`) for what Django's own cannot see."""

from django.conf import settings
from django.core.checks import Error, Tags, register

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.caches, deploy=True)
def check_cache_is_shared(app_configs, **kwargs):
    """Several web workers must share one cache, or each sees its own catalog and counters."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend}) is kept in each process: with several workers a "
            "film staff hid stays visible in the others, and log-in, sign-up and password-reset "
            "limits are counted per process.",
            hint="Set REDIS_URL (or CACHE_URL) to a Redis every web worker reaches.",
            id="nextfilms.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_email_is_sent(app_configs, **kwargs):
    """Mail that is not sent is written somewhere: password-reset links would be in the log."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNSENT_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"Email is not sent ({settings.EMAIL_BACKEND}): password-reset links, which log "
            "anyone who has them into the account, would be written into the server log.",
            hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@host:587.",
            id="nextfilms.E002",
        )
    ]
