"""The settings page's "API tokens" panel: make a token (shown once) and revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from api import tokens
from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=80,
        help_text="Say where it will be used, e.g. “laptop script”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def settings_panel(request):
    """The panel's context (registered with ``accounts.extensions``)."""
    return {
        "template": "api/_settings_tokens.html",
        "tokens": list(ApiToken.objects.filter(user=request.user)),
        "form": TokenForm(auto_id="id_token_%s"),
        "max_tokens": tokens.MAX_TOKENS_PER_MEMBER,
    }


@login_required
def new_token(request):
    """Make a token; the page that answers shows its key, once, and is never cached."""
    form = TokenForm(request.POST or None, auto_id="id_token_%s")
    if request.method == "POST" and form.is_valid():
        try:
            token, key = tokens.create_token(request.user, form.cleaned_data["name"])
        except tokens.TokenError as error:
            form.add_error("name", str(error))
        else:
            response = render(
                request,
                "api/token_created.html",
                {
                    "token": token,
                    "key": key,
                    "api_url": request.build_absolute_uri(reverse("api:search_films")),
                },
                status=201,
            )
            add_never_cache_headers(response)
            return response
    return render(
        request,
        "api/token_new.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def revoke_token(request, pk):
    name = tokens.revoke_token(request.user, pk)
    if name is None:
        messages.error(request, "That token no longer exists.")
    else:
        messages.success(request, f"Token “{name}” revoked: it no longer works.")
    return redirect(f"{reverse('accounts:settings')}#api-tokens-heading")
