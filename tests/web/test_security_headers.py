"""Security headers on every page, clear error pages, no PII in URLs."""

from __future__ import annotations

from tests.web.auth_fixtures import account_services, make_web_app, sign_in_policyholder


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in policy.split(";"))}


def test_csp_forbids_inline_script_and_framing(app, client):
    response = client.get("/auth/login")
    csp = _directives(response)
    assert csp["script-src"] == "script-src 'self'"
    assert csp["style-src"] == "style-src 'self'"  # no inline styles either
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert csp["form-action"] == "form-action 'self'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_carry_no_inline_script(app, client):
    sign_in_policyholder(app, client)
    for path in ("/auth/login", "/auth/register", "/auth/account", "/auth/mfa/setup"):
        page = client.get(path).get_data(as_text=True)
        for tag in page.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert "src=" in opening, f"inline script on {path}"
        assert " on" + "click=" not in page and "javascript:" not in page
        assert "<style" not in page and " style=" not in page


def test_hsts_only_over_tls(app, client, tmp_path):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    tls = client.get("/auth/login", base_url="https://localhost")
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    behind_tls = make_web_app(tmp_path / "tls", env={"PUBLIC_BASE_URL": "https://portal.example"})
    assert "Strict-Transport-Security" in behind_tls.test_client().get("/auth/login").headers
    account_services(behind_tls).engine.dispose()


def test_signed_in_pages_are_not_cached(app, client):
    sign_in_policyholder(app, client)
    assert client.get("/auth/account").headers["Cache-Control"] == "no-store"


def test_unknown_page_gets_a_clear_error_page(app, client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Not Found</h1>" in page
    assert "Traceback" not in page
    assert "Content-Security-Policy" in response.headers


def test_wrong_method_gets_a_clear_error_page(app, client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "<h1>" in response.get_data(as_text=True)


def test_open_redirects_are_refused(app, client, clock):
    account = sign_in_policyholder(app, client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        clock.advance(seconds=30)  # a fresh TOTP step for each sign-in
        browser = app.test_client()
        response = account.sign_in(browser, next_path=target)
        assert response.headers["Location"].startswith("/")
        assert "evil.example" not in response.headers["Location"]
