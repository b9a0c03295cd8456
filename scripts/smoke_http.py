"""The production smoke's visit: what a care manager's browser does, over HTTP, through a
reverse proxy's headers (scripts/production-smoke.sh runs it against gunicorn).

Standard library only: it runs with the production virtualenv's Python, which has no test
tools. Exits non-zero with the reason on the first thing that is not as expected.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie


class SmokeFailure(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # every redirect is checked, not followed


class Browser:
    """Cookies and CSRF as a browser keeps them, sent through the TLS-terminating proxy's
    headers (Host and X-Forwarded-Proto: https), so Secure cookies and HTTPS-only settings
    behave as in production."""

    def __init__(self, base: str, host: str) -> None:
        self.base = base.rstrip("/")
        self.host = host
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(
        self,
        path: str,
        *,
        form: dict[str, str] | None = None,
        proxied: bool = True,
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"Host": self.host, "User-Agent": "caseload-production-smoke"}
        if proxied:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310 - our own server on loopback
        try:
            with self.opener.open(request, timeout=30) as response:
                status, raw_headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, raw_headers, body = error.code, error.headers, error.read()
        for value in raw_headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return status, {k.lower(): v for k, v in raw_headers.items()}, body

    def expect(
        self, path: str, status: int, *, form: dict[str, str] | None = None, proxied: bool = True
    ) -> tuple[dict[str, str], str]:
        got, headers, body = self.request(path, form=form, proxied=proxied)
        text = body.decode("utf-8", "replace")
        if got != status:
            raise SmokeFailure(f"{path}: expected {status}, got {got}\n{text[:2000]}")
        print(f"ok  {'POST' if form is not None else 'GET '} {path} -> {got}")  # noqa: T201
        return headers, text


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise SmokeFailure("no CSRF token in the form")
    return found.group(1)


def must_contain(what: str, text: str, needle: str) -> None:
    if needle not in text:
        raise SmokeFailure(f"{what} does not contain {needle!r}")


def sign_in(browser: Browser, username: str, password: str) -> str:
    """Signs in through the sign-in form; returns where it sends the user."""
    _, page = browser.expect("/accounts/sign-in/", 200)
    headers, _ = browser.expect(
        "/accounts/sign-in/",
        302,
        form={"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(page)},
    )
    return headers["location"]


def visit(args: argparse.Namespace) -> None:
    browser = Browser(args.base, args.host)

    _, health = browser.expect("/healthz", 200, proxied=False)
    if json.loads(health) != {"status": "ok", "database": "ok"}:
        raise SmokeFailure(f"/healthz answered {health}")
    headers, _ = browser.expect("/", 301, proxied=False)  # plain HTTP goes to HTTPS
    must_contain("the HTTPS redirect", headers["location"], f"https://{args.host}/")
    headers, _ = browser.expect("/", 302)
    must_contain("the anonymous redirect", headers["location"], "/accounts/sign-in/")

    # The care manager registers a client, then opens the chart and the worklist.
    # Signing in lands on /home/, which sends each role to its start page: a care manager's is
    # the worklist.
    landing = sign_in(browser, args.username, args.password)
    if landing != "/home/":
        raise SmokeFailure(f"signing in led to {landing}, not /home/")
    headers, _ = browser.expect("/home/", 302)
    if headers["location"] != "/":
        raise SmokeFailure(f"/home/ sent a care manager to {headers['location']}, not the worklist")
    _, form_page = browser.expect("/clients/new/", 200)
    referred_on = (dt.date.today() - dt.timedelta(days=1)).isoformat()  # noqa: DTZ011 - any recent day
    headers, _ = browser.expect(
        "/clients/new/",
        302,
        form={
            "csrfmiddlewaretoken": csrf_token(form_page),
            "given_name": "Smoke",
            "family_name": "Testclient",
            "date_of_birth": "1948-03-27",
            "sex_at_birth": "female",
            "preferred_language": "English",
            "program": args.program_id,
            "care_manager": args.care_manager_id,
            "acuity": "2",
            "referred_on": referred_on,
        },
    )
    chart_path = headers["location"]
    if not re.fullmatch(r"/clients/[0-9a-f-]{36}/", chart_path):
        raise SmokeFailure(f"registering led to {chart_path}, not a chart")
    _, chart = browser.expect(chart_path, 200)
    must_contain("the chart", chart, "Smoke Testclient")
    _, worklist = browser.expect("/", 200)
    must_contain("the worklist", worklist, "Testclient")

    # A static file under its hashed manifest name, as the pages link it.
    stylesheet = re.search(r'href="(/static/css/caseload\.[0-9a-f]{12}\.css)"', worklist)
    if not stylesheet:
        raise SmokeFailure("the worklist does not link the stylesheet by its hashed name")
    headers, css = browser.expect(html.unescape(stylesheet.group(1)), 200)
    must_contain("the stylesheet's Content-Type", headers["content-type"], "text/css")
    must_contain("the stylesheet's Cache-Control", headers.get("cache-control", ""), "immutable")
    if len(css) < 1000:
        raise SmokeFailure(f"the stylesheet is {len(css)} characters")

    # The first administrator exists and must set up two-factor sign-in before anything else.
    browser.cookies.clear()
    sign_in(browser, args.admin_username, args.admin_password)
    headers, _ = browser.expect("/admin/", 302)
    set_up = "/accounts/two-factor/set-up/"
    must_contain("the administrator's redirect", headers["location"], set_up)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--host", required=True, help="a name in ALLOWED_HOSTS")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--program-id", required=True)
    parser.add_argument("--care-manager-id", required=True)
    parser.add_argument("--admin-username", required=True)
    parser.add_argument("--admin-password", required=True)
    args = parser.parse_args()
    try:
        visit(args)
    except SmokeFailure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
