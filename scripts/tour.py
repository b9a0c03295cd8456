"""Screenshot tour of a running Caseload (for reviewing pages by eye).

python scripts/tour.py http://127.0.0.1:8000 OUTDIR username [path ...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    base, out, username, *paths = sys.argv[1:]
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(base_url=base, viewport={"width": 1366, "height": 900})
        page.goto("/accounts/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("caseload-demo-2026")
        page.get_by_role("button", name="Sign in").click()
        for path in paths or ["/"]:
            page.goto(path)
            name = re.sub(r"[^A-Za-z0-9]+", "-", f"{username}{path}").strip("-")
            page.screenshot(path=str(target / f"{name}.png"), full_page=True)
            sys.stdout.write(f"{page.url} -> {name}.png\n")
        browser.close()


if __name__ == "__main__":
    main()
