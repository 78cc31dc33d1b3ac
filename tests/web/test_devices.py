"""Device recognition: a new device or an unusual pattern steps up and notifies, and is audited."""

from __future__ import annotations

from bot.accounts.devices import DeviceTraits
from tests.web.auth_fixtures import account_services, create_account, form_token
from tests.web.conftest import MARIA, sms_bodies

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def _sign_in(app, client, account, user_agent=FIREFOX, ip="203.0.113.7"):
    client.environ_base.update(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    account.sign_in(client)


def _notices(app):
    return [b for b in sms_bodies(app, MARIA.phone) if "signed in to your account" in b]


def test_first_sign_in_on_a_new_device_notifies_and_is_audited(app, client):
    account = create_account(
        app, kind="policyholder", email="m@example.com", holder_id=MARIA.holder_id
    )
    _sign_in(app, client, account)  # enrolment: the device is remembered
    assert _notices(app) == []  # the first sign-in right after set-up is not a surprise
    other = app.test_client()
    _sign_in(app, other, account, user_agent=CHROME_ANDROID, ip="198.51.100.20")
    notices = _notices(app)
    assert len(notices) == 1
    assert "Chrome on Android" in notices[0]
    events = [e.event for e in account_services(app).audit.entries(account.account_id)]
    assert "sign_in_new_device" in events and "new_device_notice_sent" in events


def test_known_device_signs_in_quietly(app, client):
    account = create_account(
        app, kind="policyholder", email="m@example.com", holder_id=MARIA.holder_id
    )
    _sign_in(app, client, account)
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    _sign_in(app, client, account, ip="203.0.113.99")  # same network /24, same browser
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/auth/account")})
    _sign_in(app, client, account, ip="192.0.2.44")  # another network alone is normal
    assert _notices(app) == []


def test_copied_device_cookie_in_another_browser_is_unusual(app, client):
    account = create_account(
        app, kind="policyholder", email="m@example.com", holder_id=MARIA.holder_id
    )
    _sign_in(app, client, account)
    stolen = client.get_cookie("__Host-policyline-device").value
    thief = app.test_client()
    thief.set_cookie("__Host-policyline-device", stolen, domain="localhost", secure=True)
    thief.environ_base.update(HTTP_USER_AGENT=CHROME_ANDROID, REMOTE_ADDR="198.51.100.20")
    token = form_token(thief)
    thief.post(
        "/auth/login",
        data={"email": account.email, "password": account.password, "csrf_token": token},
    )
    page = thief.get("/auth/verify").get_data(as_text=True)
    assert "haven't seen before" in page
    events = [e.event for e in account_services(app).audit.entries(account.account_id)]
    assert events[0] == "password_accepted"
    assert account_services(app).audit.entries(account.account_id)[0].detail == "device=unusual"


def test_device_traits_are_coarse():
    traits = DeviceTraits.from_request(CHROME_ANDROID, "en-US,en;q=0.9,es;q=0.8", "198.51.100.20")
    assert traits == DeviceTraits("Chrome", "Android", "en-us", "198.51.100.0/24")
    v6 = DeviceTraits.from_request(FIREFOX, "", "2001:db8:1234:5678::1")
    assert v6.network == "2001:db8:1234::/48" and v6.language == "none"
    assert DeviceTraits.from_request("", "", "garbage").label == "Other browser on other system"
