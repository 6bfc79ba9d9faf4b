"""WordPress driven over HTTP only, the way a person uses it: the install form, the login form,
then the REST API with the cookie and its nonce (as the block editor does). Standard library
only; every request goes to the stack's own `url` output (on 127.0.0.1)."""

from __future__ import annotations

import http.cookiejar
import json
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Optional

TIMEOUT = 30  # seconds for one request


@dataclass(frozen=True)
class Page:
    status: int
    body: bytes
    url: str
    """Where the request ended, after redirects."""
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class WordPressSite:
    """One visitor (one cookie jar) of the site at `url`."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self._open = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies)).open
        self._nonce: Optional[str] = None

    # -- plain HTTP -------------------------------------------------------------------------

    def request(
        self, path: str, data: Optional[bytes] = None, headers: Optional[dict[str, str]] = None, method: Optional[str] = None
    ) -> Page:
        target = path if path.startswith("http") else self.url + path
        request = urllib.request.Request(target, data=data, headers=headers or {}, method=method)
        try:
            with self._open(request, timeout=TIMEOUT) as answer:
                return Page(answer.status, answer.read(), answer.geturl(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Page(error.code, error.read(), error.geturl(), dict(error.headers))

    def get(self, path: str) -> Page:
        return self.request(path)

    def post_form(self, path: str, fields: dict[str, str]) -> Page:
        return self.request(path, urllib.parse.urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"})

    # -- what a person does -----------------------------------------------------------------

    def install(self, title: str, user: str, password: str, email: str) -> Page:
        """The installer's form (wp-admin/install.php, step 2), as submitted from the browser."""
        page = self.post_form(
            "/wp-admin/install.php?step=2",
            {
                "weblog_title": title,
                "user_name": user,
                "admin_password": password,
                "admin_password2": password,
                "pw_weak": "on",
                "admin_email": email,
                "blog_public": "0",
                "Submit": "Install WordPress",
                "language": "",
            },
        )
        if page.status != 200 or "Success!" not in page.text:
            raise AssertionError(f"install did not succeed: HTTP {page.status}\n{page.text[:2000]}")
        return page

    def log_in(self, user: str, password: str) -> Page:
        self.get("/wp-login.php")  # sets the test cookie the form checks
        page = self.post_form(
            "/wp-login.php",
            {"log": user, "pwd": password, "wp-submit": "Log In", "redirect_to": self.url + "/wp-admin/", "testcookie": "1"},
        )
        if not self.logged_in_cookie() or "/wp-admin/" not in page.url:
            raise AssertionError(f"login failed: HTTP {page.status} at {page.url}\n{page.text[:2000]}")
        self._nonce = None
        return page

    def logged_in_cookie(self) -> bool:
        return any(cookie.name.startswith("wordpress_logged_in_") for cookie in self.cookies)

    def nonce(self) -> str:
        """The REST nonce of the logged-in session (what wp-admin hands the editor)."""
        if self._nonce is None:
            page = self.get("/wp-admin/admin-ajax.php?action=rest-nonce")
            if page.status != 200 or not page.text.strip().isalnum():
                raise AssertionError(f"no REST nonce: HTTP {page.status} {page.text[:500]}")
            self._nonce = page.text.strip()
        return self._nonce

    def rest(self, route: str, payload: Optional[bytes] = None, headers: Optional[dict[str, str]] = None) -> Page:
        """A REST call as the logged-in user (`?rest_route=`: works with plain permalinks)."""
        return self.request(
            "/?rest_route=" + urllib.parse.quote(route, safe="/"),
            payload,
            {"X-WP-Nonce": self.nonce(), **(headers or {})},
        )

    def whoami(self) -> Page:
        return self.rest("/wp/v2/users/me")

    def publish_post(self, title: str, content: str) -> dict[str, Any]:
        page = self.rest(
            "/wp/v2/posts",
            json.dumps({"title": title, "content": content, "status": "publish"}).encode(),
            {"Content-Type": "application/json"},
        )
        if page.status != 201:
            raise AssertionError(f"publishing failed: HTTP {page.status} {page.text[:1000]}")
        return json.loads(page.body)

    def upload(self, filename: str, data: bytes, mime: str) -> dict[str, Any]:
        page = self.rest(
            "/wp/v2/media", data, {"Content-Type": mime, "Content-Disposition": f'attachment; filename="{filename}"'}
        )
        if page.status != 201:
            raise AssertionError(f"upload failed: HTTP {page.status} {page.text[:1000]}")
        return json.loads(page.body)


def post_path(post_id: int) -> str:
    """A post's address relative to the site, whatever the permalink settings."""
    return f"/?p={post_id}"


def upload_path(source_url: str) -> str:
    """An upload's address relative to the site (the media's source_url holds the address of its day)."""
    return urllib.parse.urlsplit(source_url).path


def png(width: int = 480, height: int = 120) -> bytes:
    """A valid PNG made here (a band of colour, visible in a screenshot): the file a person uploads."""
    row = b"\x00" + b"".join(bytes((200, 40 + 160 * x // width, 90)) for x in range(width))
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


def wait_for(check: Callable[[], Optional[str]], timeout: float, what: str, every: float = 1.0) -> float:
    """Polls `check` (None: done, else why not yet) for at most `timeout` seconds; the seconds it took."""
    started = time.monotonic()
    why = "not tried"
    while time.monotonic() - started < timeout:
        try:
            why = check()
        except OSError as error:
            why = str(error)
        if why is None:
            return time.monotonic() - started
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {why})")
