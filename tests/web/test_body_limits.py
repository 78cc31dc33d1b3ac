"""Request body limits: 64 KB on every route, more only on a route that takes uploads; anything
larger gets 413 with a short page (or JSON), before the body is read, never a stack trace."""

from __future__ import annotations

import io

import pytest
from flask import Flask, request

from bot.settings import ConfigurationError, Settings
from bot.web.body_limits import accepts_uploads
from tests.web.auth_fixtures import form_token, make_web_app

MB = 1024 * 1024


class GeneratedBody(io.RawIOBase):
    """A request body of ``size`` bytes made up as it is read, counting what was read."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.position = 0
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, min(self.size, base + offset))
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buffer), self.size - self.position)
        buffer[:n] = b"x" * n
        self.position += n
        self.bytes_read += n
        return n


def add_photo_route(app: Flask) -> None:
    """A claim-photo upload route, as a future feature would add it (this test only)."""

    @app.post("/test/claim-photos")
    @accepts_uploads
    def claim_photos():  # type: ignore[no-untyped-def]
        photo = request.files["photo"]
        return {"received": len(photo.read())}


def photo_form(token: str, n_bytes: int) -> dict[str, object]:
    return {"csrf_token": token, "photo": (io.BytesIO(b"\xff" * n_bytes), "dent.jpg", "image/jpeg")}


def test_a_50_mb_form_gets_413_before_any_of_it_is_read(client):
    body = GeneratedBody(50 * MB)
    response = client.post(
        "/auth/login", input_stream=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert body.bytes_read == 0
    page = response.get_data(as_text=True)
    assert "<h1>That&#39;s too large</h1>" in page
    assert "at most 64 KB" in page and "(800) 555-0100" in page
    assert "Traceback" not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers


def test_a_20_mb_upload_on_a_route_without_uploads_gets_413(client):
    token = form_token(client)
    response = client.post(
        "/auth/login",
        data={"email": "maria@example.com", "password": "x", **photo_form(token, 20 * MB)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "at most 64 KB" in response.get_data(as_text=True)


def test_a_form_just_over_64_kb_is_refused_and_one_under_is_read(client):
    token = form_token(client)
    form = {"csrf_token": token, "email": "maria@example.com"}
    over = client.post("/auth/login", data={**form, "password": "x" * (64 * 1024)})
    assert over.status_code == 413
    under = client.post("/auth/login", data={**form, "password": "x" * (60 * 1024)})
    assert under.status_code == 401  # read, CSRF checked, and the sign-in refused


def test_a_json_client_gets_413_as_json(client):
    response = client.post("/auth/login", json={"padding": "x" * (100 * 1024)})
    assert response.status_code == 413
    assert response.json is not None
    assert response.json["error"] == "payload too large"
    assert "at most 64 KB" in response.json["message"]


def test_an_upload_route_takes_a_body_between_64_kb_and_its_own_limit(app, client):
    add_photo_route(app)
    token = form_token(client)  # the upload still passes the CSRF check, which reads the form
    five_mb = client.post("/test/claim-photos", data=photo_form(token, 5 * MB))
    assert five_mb.status_code == 200
    assert five_mb.json == {"received": 5 * MB}
    too_big = client.post("/test/claim-photos", data=photo_form(token, 11 * MB))
    assert too_big.status_code == 413
    assert "at most 10 MB" in too_big.get_data(as_text=True)


def test_the_limits_come_from_settings(tmp_path):
    app = make_web_app(
        tmp_path, env={"WEB_MAX_FORM_BYTES": "2048", "WEB_MAX_UPLOAD_BYTES": str(MB)}
    )
    add_photo_route(app)
    client = app.test_client()
    token = form_token(client)
    assert client.post("/test/claim-photos", data=photo_form(token, MB // 2)).status_code == 200
    assert client.post("/test/claim-photos", data=photo_form(token, 2 * MB)).status_code == 413
    small_form = client.post("/auth/login", data={"csrf_token": token, "email": "x" * 4096})
    assert small_form.status_code == 413


def test_the_defaults_are_64_kb_and_10_mb_and_nonsense_is_refused():
    limits = Settings.from_env({}).web_body_limits
    assert (limits.form_bytes, limits.upload_bytes) == (64 * 1024, 10 * MB)
    with pytest.raises(ConfigurationError):
        Settings.from_env({"WEB_MAX_FORM_BYTES": "0"})
    with pytest.raises(ConfigurationError):
        Settings.from_env({"WEB_MAX_FORM_BYTES": "65536", "WEB_MAX_UPLOAD_BYTES": "1024"})
