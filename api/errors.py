"""One shape for every error the API answers with.

``{"error": {"status": 404, "code": "not_found", "message": "…"}}``, plus
``fields`` (a list of messages per field) when input is invalid and
``retry_after`` (seconds) when a rate limit is reached. Unknown URLs under
``/api/`` and unexpected failures answer in the same shape.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve, reverse
from rest_framework import exceptions
from rest_framework.views import exception_handler as rest_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

SERVER_ERROR = "Something went wrong on our side; it has been logged. Try again later."


def error_body(status, code, message, **extra):
    return {"error": {"status": status, "code": code, "message": message, **extra}}


def error_response(body, status):
    """An error outside REST framework's views, written as its renderer writes JSON."""
    return JsonResponse(body, status=status, json_dumps_params={"separators": (",", ":")})


def exception_handler(exc, context):
    """REST framework's handler, answering in the one error shape (``EXCEPTION_HANDLER``)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = rest_exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        logger.error("API request %s failed", getattr(request, "path", "?"), exc_info=exc)
        set_rollback()
        return error_response(error_body(500, "server_error", SERVER_ERROR), 500)
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.status_code, exc.detail)
    elif isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response.data = error_body(
            response.status_code,
            "throttled",
            f"Too many requests: try again in {wait} second{'s' if wait != 1 else ''}.",
            retry_after=wait,
        )
    else:
        response.data = error_body(response.status_code, exc.default_code, str(exc.detail))
    return response


def _validation_body(status, detail):
    if isinstance(detail, dict):
        general = [str(message) for message in detail.get("non_field_errors", [])]
        fields = {
            name: [str(message) for message in _flatten(messages)]
            for name, messages in detail.items()
            if name != "non_field_errors"
        }
        if general:
            message = " ".join(general)
        else:
            message = "Some fields are not valid: " + ", ".join(fields) + "."
        return error_body(status, "invalid", message, fields=fields)
    return error_body(status, "invalid", " ".join(str(m) for m in _flatten(detail)))


def _flatten(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flatten(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flatten(value)
    else:
        yield messages


def not_found(request, path=""):
    """Any URL under /api/ that names nothing, with the likely address if there is one.

    A missing final slash and a missing version (``/api/docs/`` for
    ``/api/v1/docs/``) are pointed out.
    """
    message = f"There is no API endpoint at {request.path}."
    slashed = request.path if request.path.endswith("/") else request.path + "/"
    if slashed != request.path and _is_endpoint(slashed):
        message += f" Did you mean {slashed} (with the final slash)?"
    elif not request.path.startswith(root := reverse("api:index")):
        versioned = root + slashed.removeprefix("/api/")
        if _is_endpoint(versioned):
            message += f" The API is versioned: did you mean {versioned}?"
    return error_response(error_body(404, "not_found", message), 404)


def _is_endpoint(path):
    try:
        return resolve(path).func is not not_found
    except Resolver404:
        return False
