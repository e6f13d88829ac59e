"""The README's first command, `make run`, as a newcomer meets it.

It runs the real command on a fresh SQLite database (migrate, import
ml-latest-small from ../shared, train, development server) with none of the
test settings, then a newcomer signs up in Chromium and uses the site.
"""

import os
import re
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import ARTIFACTS_DIR, MOVIELENS_SMALL_ZIP, kill_process_group, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.sqlite(reason="the zero-setup site is SQLite whatever the suite runs on"),
]

REPO = Path(__file__).resolve().parents[2]
# Only what a newcomer's shell has: no test settings, no database or broker.
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "OPENBLAS_CORETYPE")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our server)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def make_run_site(tmp_path):
    """`make run` on a fresh var/ folder; yields the site's address once it answers."""
    port = free_port()
    environment = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    environment |= {
        "VAR_DIR": str(tmp_path / "var"),
        "MOVIELENS_SOURCE": str(MOVIELENS_SMALL_ZIP),
        "PORT": str(port),
    }
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "run"],  # noqa: S607 (the README's command, from PATH)
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(url + "/about/") or process.poll() is not None, timeout=240)
        assert process.poll() is None, log_path.read_text()
        yield url
    finally:
        kill_process_group(process)
    assert "Published" in log_path.read_text(), "make run trained no model"


def test_make_run_gives_a_newcomer_a_working_site(browser, make_run_site):
    context = browser.new_context(base_url=make_run_site, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status} {response.url}")
        ),
    )

    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Password", exact=True).fill("a long passphrase 7")
    page.get_by_label("Password confirmation").fill("a long passphrase 7")
    page.get_by_role("button", name="Sign up").click()
    page.locator("main").get_by_role("link", name=re.compile("^(Skip|Done)")).first.click()
    page.wait_for_load_state()

    page.goto("/search/?q=toy+story")
    page.get_by_role("link", name=re.compile("Toy Story")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Toy Story")
    with page.expect_response(lambda response: "/rating/" in response.url):
        page.get_by_role("group", name=re.compile("Rate it")).first.locator(".stars__label").nth(
            8
        ).click()
    expect(page.get_by_role("group", name=re.compile("Your rating")).first).to_be_visible()

    page.goto("/")
    with page.expect_response(lambda response: "/rating/" in response.url):
        page.locator(".card .stars__label").nth(9).click()

    for path, has_cards in [
        ("/", True),
        ("/for-you/", True),
        ("/me/ratings/", True),
        ("/me/import/", False),
    ]:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        if has_cards:
            expect(page.locator(".card").first).to_be_visible()
    page.goto("/me/ratings/")
    expect(page.locator(".card")).to_have_count(2)

    ARTIFACTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS_DIR / "make-run-my-ratings.png", full_page=True)
    context.close()
    assert problems == [], "\n".join(problems)
