"""What every API view shares."""

from django.utils.cache import patch_vary_headers
from rest_framework.generics import GenericAPIView


class ApiView(GenericAPIView):
    """A view whose answer depends on who asks: by token, session or as a visitor.

    ``Vary`` tells caches so, and members' answers are private (the site's
    middleware sees the member REST framework authenticated).
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response
