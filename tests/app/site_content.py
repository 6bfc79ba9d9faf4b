"""What a person puts on a site (an admin, a published post, an uploaded image) and the check
that it is all still served, asked again after every operation the tests put the stack through."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Optional

from tests.pulumi_engine import EngineProject

from tests.app.request_loop import RequestLoop
from tests.app.wordpress_client import WordPressSite, png, post_path, upload_path, wait_for

SERVED_WITHIN = 180  # seconds a replaced container or task gets to serve again


@dataclass(frozen=True)
class Published:
    user: str
    password: str
    post_id: int
    title: str
    upload_path: str
    upload: bytes


def publish(url: str) -> tuple[WordPressSite, Published]:
    """Install the site, log in, publish a post and upload an image: the admin's session and what it made."""
    site = WordPressSite(url)
    password = "Pw" + secrets.token_urlsafe(18)
    site.install("Moorings application tier", "admin", password, "admin@example.com")
    site.log_in("admin", password)
    image = png()
    media = site.upload("harbour.png", image, "image/png")
    title = f"Moored {secrets.token_hex(4)}"
    post = site.publish_post(title, f'<p>Published over HTTP.</p><img src="{media["source_url"]}" alt="harbour">')
    return site, Published("admin", password, post["id"], title, upload_path(media["source_url"]), image)


def not_served(url: str, published: Published) -> Optional[str]:
    """None when the post and the upload are served at `url` to a new visitor, else what is wrong."""
    visitor = WordPressSite(url)
    post = visitor.get(post_path(published.post_id))
    if post.status != 200 or published.title not in post.text:
        return f"post {published.post_id}: HTTP {post.status} at {post.url}: {post.text[:300]!r}"
    if not post.url.startswith(url):
        return f"post {published.post_id} redirected away from {url} to {post.url}"
    upload = visitor.get(published.upload_path)
    if upload.status != 200 or upload.body != published.upload:
        return f"upload {published.upload_path}: HTTP {upload.status}, {len(upload.body)} bytes"
    return None


def assert_served(url: str, published: Published, timeout: float = SERVED_WITHIN) -> float:
    """Waits (bounded) until the post and the upload are served at `url`; the seconds it took."""
    return wait_for(lambda: not_served(url, published), timeout, f"the post and the upload at {url}")


def session_problem(site: WordPressSite) -> Optional[str]:
    """None while the admin's logged-in session works (REST as the user, with its nonce)."""
    me = site.whoami()
    return None if me.status == 200 and '"name"' in me.text else f"HTTP {me.status}: {me.text[:200]}"


class SiteUnderTest:
    """One stack of a test module, the admin's session and what they published on it."""

    def __init__(self, project: EngineProject, stack: str):
        self.project, self.stack = project, stack
        self.published: Optional[Published] = None
        self.admin: Optional[WordPressSite] = None
        self.mysql_root: Optional[str] = None
        """The database's root password once a test has set it (else generated, unknown here)."""

    @property
    def url(self) -> str:
        """The stack's `url` output, as `pulumi stack output` prints it now."""
        return json.loads(self.project.pulumi("stack", "output", "-s", self.stack, "--json").stdout)["url"]


@dataclass(frozen=True)
class Rotated:
    root: str
    user: str
    loop: RequestLoop
    output: str
    """What `pulumi up` printed: it must name neither password."""


def rotate_database_passwords(site: SiteUnderTest) -> Rotated:
    """`pulumi config set --secret` both database passwords and `up`, while a visitor keeps
    reading the published post."""
    root, user = "Pw" + secrets.token_urlsafe(24), "Pw" + secrets.token_urlsafe(24)
    with RequestLoop(site.url + post_path(site.published.post_id)) as loop:
        site.project.set(site.stack, "mysqlRootPassword", root, secret=True)
        site.project.set(site.stack, "mysqlPassword", user, secret=True)
        done = site.project.up(site.stack)
    site.mysql_root = root
    print(f"during the rotation: {loop.summary()}")
    return Rotated(root, user, loop, done.stdout + done.stderr)
