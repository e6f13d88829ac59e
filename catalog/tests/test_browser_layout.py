"""Every main page fits the window: nothing scrolls sideways, at any width or theme."""

import pytest

from catalog.tests.conftest import MEMBER_PAGES, PUBLIC_PAGES
from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "tablet": 820, "desktop": 1440}

OVERFLOW = """() => {
  const root = document.documentElement;
  const widest = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, widest};
}"""


def pages_wider_than_the_window(page, paths, label):
    found = []
    for color_scheme in ("dark", "light"):
        page.emulate_media(color_scheme=color_scheme)
        for width_name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                response = page.goto(path)
                assert response.status == 200, f"{path}: {response.status}"
                seen = page.evaluate(OVERFLOW)
                if seen["scrollWidth"] > seen["clientWidth"]:
                    found.append(
                        f"{label} {path} ({color_scheme}, {width_name}): document "
                        f"{seen['scrollWidth']} px in a {seen['clientWidth']} px window; "
                        f"first past the edge: {seen['widest']}"
                    )
    return found


def test_no_page_scrolls_sideways_for_visitors_or_members(page, site):
    found = pages_wider_than_the_window(page, [*PUBLIC_PAGES, site.get_absolute_url()], "visitor")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page)
    found += pages_wider_than_the_window(page, [*MEMBER_PAGES, site.get_absolute_url()], "member")
    assert found == [], "\n".join(found)


def test_star_radios_are_named_by_their_value_alone(page, site):
    log_in(page)
    page.goto(site.get_absolute_url())
    stars = page.get_by_role("group", name="Rate it").first
    assert stars.get_by_role("radio", name="4 stars", exact=True).count() == 1
    assert stars.get_by_role("radio", name="★ 4 stars").count() == 0


HEADER_TOP_AFTER_SCROLL = """() => {
  document.body.style.minHeight = "4000px";  // long enough to scroll whatever the catalog
  window.scrollTo(0, 1000);
  return document.querySelector(".site-header").getBoundingClientRect();
}"""


def test_the_header_stays_on_top_on_desktop_and_scrolls_away_on_phones(page, site):
    log_in(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto("/browse/")
    assert page.evaluate(HEADER_TOP_AFTER_SCROLL)["top"] == 0
    # On a phone the header is three rows (brand, search, links): kept on top it
    # would hide a fifth of the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/browse/")
    assert page.evaluate(HEADER_TOP_AFTER_SCROLL)["bottom"] <= 0
