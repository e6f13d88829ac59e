"""The OpenAPI 3 schema is valid and complete; Swagger UI runs from our own static files."""

import pytest
import requests
import yaml
from drf_spectacular.validation import validate_schema
from playwright.sync_api import expect

from api.tests.conftest import ApiClient


@pytest.fixture
def schema(live_server):
    response = requests.get(f"{live_server.url}/api/v1/schema/", timeout=30)
    assert response.status_code == 200
    return yaml.safe_load(response.text)


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)  # raises on anything the OpenAPI 3 JSON schema refuses

    assert schema["openapi"].startswith("3.")


def test_the_schema_names_every_endpoint_its_token_and_its_errors(schema):
    paths = schema["paths"]

    for path in [
        "/api/v1/films/",
        "/api/v1/films/{id}/",
        "/api/v1/films/{id}/similar/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/me/ratings/{film_id}/",
        "/api/v1/me/watchlist/{film_id}/",
        "/api/v1/me/recommendations/",
        "/api/v1/me/diary/",
        "/api/v1/me/diary/{id}/",
        "/api/v1/me/lists/",
        "/api/v1/lists/{id}/films/{film_id}/",
        "/api/v1/lists/{id}/order/",
    ]:
        assert path in paths
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["token"]["description"],
    }
    rate = paths["/api/v1/me/ratings/{film_id}/"]["put"]
    assert set(rate["responses"]) >= {"200", "201", "400", "401", "404", "429"}
    error_ref = rate["responses"]["404"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref == "#/components/schemas/Error"
    recommendation = schema["components"]["schemas"]["Recommendation"]["properties"]
    assert {"film", "predicted_rating", "reason"} <= set(recommendation)


def test_the_index_points_at_the_docs_and_schema(live_server):
    index = ApiClient(live_server.url).get("").json()

    assert index["docs"] == f"{live_server.url}/api/v1/docs/"
    assert index["schema"] == f"{live_server.url}/api/v1/schema/"


@pytest.mark.browser
def test_swagger_ui_lists_the_endpoints_within_the_sites_csp(page):
    """The page fixture fails the test on anything the Content-Security-Policy blocked."""
    swagger_requests = []
    page.on("request", lambda request: swagger_requests.append(request.url))

    page.goto("/api/v1/docs/")

    # Swagger UI draws the page once it has fetched and read the whole schema.
    expect(page.get_by_text("NextFilms API").first).to_be_visible(timeout=30_000)
    expect(page.locator("#operations-films-films_list")).to_be_visible()
    page.locator("#operations-films-films_list .opblock-summary-control").click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    origin = page.url.split("/api/")[0]
    assert all(url.startswith(origin) for url in swagger_requests), swagger_requests
