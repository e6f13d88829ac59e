"""The API's tests talk HTTP (requests) to a live server, as a client would."""

import re

import pytest
import requests

from api.tokens import create_token


class ApiClient:
    """``requests`` against the live server's API; ``token`` goes in the Authorization header."""

    def __init__(self, base_url, token=None):
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path):
        return path if path.startswith("http") else f"{self.base_url}/api/v1/{path.lstrip('/')}"

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def api_as(live_server):
    """``api_as(user)``: a client with a fresh token of ``user``'s; ``api_as(None)``: a visitor."""

    def client(user, name="tests"):
        if user is None:
            return ApiClient(live_server.url)
        _, key = create_token(user, name)
        return ApiClient(live_server.url, key)

    return client


def log_in_over_http(base_url, username="alice", password="correct horse 1"):
    """A requests session logged in through the site's log-in form (CSRF and all)."""
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/", timeout=30)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_from(page.text),
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        timeout=30,
    )
    assert "sessionid" in session.cookies, response.text[:500]
    return session


def csrf_from(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def assert_error(response, status, code):
    """The response is the API's one error shape, with ``status`` and ``code``."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"] == code
    assert error["message"]
    return error
