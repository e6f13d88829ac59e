"""What the OpenAPI schema says beyond what drf-spectacular reads from the views."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from api.serializers import ErrorSerializer


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token you make on your settings page: `Authorization: Bearer nf_…`.",
        }


ERRORS = {
    "400": "Invalid input: `fields` says what is wrong with each field.",
    "401": "No valid token or session (a revoked or mistyped token).",
    "403": "Not allowed (a session write without its CSRF token).",
    "404": "No such film, person, list entry or endpoint.",
    "429": "Too many requests: `retry_after` (and the `Retry-After` header) says when to retry.",
}


class ApiAutoSchema(AutoSchema):
    """Every operation documents the one error shape (``api.errors``) for its failures."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses
