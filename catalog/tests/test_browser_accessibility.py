"""Automated WCAG 2.2 AA checks (axe-core in Chromium) on the main pages."""

import pytest

from catalog.tests.axe import axe_violations
from catalog.tests.conftest import MEMBER_PAGES, PUBLIC_PAGES
from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page, path, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    page.goto(path)
    return axe_violations(page, f"{path} ({color_scheme})")


@pytest.mark.parametrize("color_scheme", ["dark", "light"])
def test_main_pages_have_no_wcag_violations(page, site, color_scheme):
    found = []
    for path in [*PUBLIC_PAGES, site.get_absolute_url()]:
        found += violations(page, path, color_scheme)
    log_in(page)
    for path in [*MEMBER_PAGES, site.get_absolute_url()]:
        found += violations(page, path, color_scheme)
    assert found == [], "\n".join(found)
