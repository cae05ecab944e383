"""Helpers for the web page tests: one browser-like client per user over the service world.

``Pages(world, evidence_dir)`` builds the app; ``pages.user("e1")`` signs in through the login
form (as a browser does: the login token from the form, the session and CSRF cookies set by the
answer) and returns a :class:`User` whose ``post`` puts the CSRF token into every form.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def login_token(html: str) -> str:
    return re.search(r'name="login_token" value="([^"]+)"', html).group(1)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """The visible text of a page, whitespace squeezed (what a person reads)."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@dataclass
class User:
    name: str
    http: object  # a TestClient with this user's cookies

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("huiqi_csrf")

    def get(self, path: str, **kwargs):
        return self.http.get(path, follow_redirects=False, **kwargs)

    def post(self, path: str, data: dict | None = None, files=None, csrf: str | None = None, **kwargs):
        body = dict(data or {})
        body.setdefault("csrf", self.csrf if csrf is None else csrf)
        return self.http.post(path, data=body, files=files, follow_redirects=False, **kwargs)

    def follow(self, response):
        """The page a redirect leads to (the message it carries shows there once)."""
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return self.get(response.headers["location"])


class Pages:
    """The service app with its pages, over a ServiceWorld."""

    def __init__(self, world, evidence_dir) -> None:
        from huiqi.web.app import create_app

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from fastapi.testclient import TestClient
        self.client_class = TestClient
        self.world = world
        self.app = create_app(world.url, evidence_dir=evidence_dir)

    def anonymous(self):
        return self.client_class(self.app, raise_server_exceptions=False)

    def user(self, name: str, password: str | None = None) -> User:
        http = self.anonymous()
        form = http.get("/login")
        answer = http.post(
            "/login",
            data={
                "username": name,
                "password": password or self.world.password(name),
                "login_token": login_token(form.text),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:500]
        return User(name, http)

    def wait(self, response, timeout: float = 120.0):
        """Follow a redirect to a job's page and wait for the job to end; returns its page."""
        location = response.headers["location"]
        assert location.startswith("/jobs/"), location
        job = self.app.state.jobs.wait(location.rsplit("/", 1)[1], timeout)
        return job
