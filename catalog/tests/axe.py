"""axe-core (shipped with axe-playwright-python) in the page under test."""

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(page, label=None):
    """WCAG 2.2 AA violations on the page as it is now, one line each."""
    label = label or page.url
    return [
        f"{label}: {v['id']} — {v['help']}: "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in Axe().run(page, options=WCAG_AA).response["violations"]
    ]
