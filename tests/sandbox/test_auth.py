import time

import pytest

from terrahost_client.sandbox import TOTP_SECRET, SandboxApp, totp_code
from terrahost_client.sandbox.totp import hotp, verify

from .conftest import Api, assert_error

# The middle of a 30 s TOTP step, so "one step either way" is exact.
WALL = 1_700_000_015.0


@pytest.fixture
def frozen_wall(monkeypatch):
    """Freeze the wall clock (TOTP uses it, and the simulated clock follows it)."""
    monkeypatch.setattr(time, "time", lambda: WALL)
    return WALL


def test_it_issues_a_token_with_a_string_expiry_and_customer_id(app, anon):
    before = int(app.now())
    response = anon.post("/authenticate", json={"username": "demo", "password": "demo"})
    after = int(app.now())
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["meta"]["status"] == 200
    data = body["data"]
    assert isinstance(data["token"], str) and len(data["token"]) >= 32
    assert isinstance(data["token_expire"], str) and data["token_expire"].isdigit()
    assert before + 3600 <= int(data["token_expire"]) <= after + 3600
    assert data["customer_id"] == "19998"


def test_the_token_lifetime_is_configurable(frozen_wall):
    api = Api(SandboxApp(seed=1, token_lifetime=60))
    response = api.post("/authenticate", json={"username": "demo", "password": "demo"})
    assert response.json()["data"]["token_expire"] == str(int(frozen_wall) + 60)


@pytest.mark.parametrize(
    "body",
    [
        {"username": "demo", "password": "wrong"},
        {"username": "nobody", "password": "demo"},
        {"username": "demo", "password": ""},
    ],
)
def test_wrong_credentials_answer_401_with_the_meta_envelope(anon, body):
    meta = assert_error(anon.post("/authenticate", json=body), 401, "Invalid username or password")
    assert meta["status_message"] == "401 Unauthorized"


def test_missing_fields_and_malformed_json_answer_400(anon):
    assert_error(anon.post("/authenticate", json={"username": "demo"}), 400, "password")
    response = anon.post("/authenticate", data="{not json", headers={"Content-Type": "x"})
    assert_error(response, 400, "Malformed JSON")
    assert_error(anon.post("/authenticate", json=["demo", "demo"]), 400)


def test_demo_2fa_needs_a_code(anon, frozen_wall):
    body = {"username": "demo-2fa", "password": "demo"}
    assert_error(anon.post("/authenticate", json=body), 401, "code required")
    response = anon.post("/authenticate", json={**body, "code": "000000"})
    assert_error(response, 401, "Invalid two-factor")
    good = totp_code(TOTP_SECRET, frozen_wall)
    response = anon.post("/authenticate", json={**body, "code": good})
    assert response.status_code == 200
    assert response.json()["data"]["customer_id"] == "20431"


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_totp_allows_one_step_of_drift_either_way(anon, frozen_wall, steps, accepted):
    code = totp_code(TOTP_SECRET, frozen_wall + steps * 30)
    body = {"username": "demo-2fa", "password": "demo", "code": code}
    response = anon.post("/authenticate", json=body)
    assert response.status_code == (200 if accepted else 401)


FULL_WIDTH = str.maketrans(
    "0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
)
ARABIC_INDIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)


@pytest.mark.parametrize(
    "code",
    [
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "\u0661\u0662\u0663\u0664\u0665\u0666",
        "²³⁴⁵⁶⁷",
        "12345\uff16",
        "current-full-width",
        "current-arabic-indic",
        "1234567",
        "12 456",
        "+12345",
        -12345,
        10**30,
        "1e309",
        12.5,
        True,
        ["123456"],
        {"code": "123456"},
    ],
)
def test_a_code_that_is_not_six_ascii_digits_answers_401(app, anon, frozen_wall, code):
    current = totp_code(TOTP_SECRET, frozen_wall)
    if code == "current-full-width":
        code = current.translate(FULL_WIDTH)  # the right code, in the wrong digits
    elif code == "current-arabic-indic":
        code = current.translate(ARABIC_INDIC)
    body = {"username": "demo-2fa", "password": "demo", "code": code}
    assert_error(anon.post("/authenticate", json=body), 401, "Invalid two-factor")
    assert app.exceptions == []


def test_totp_verify_is_false_for_non_ascii_codes(frozen_wall):
    current = totp_code(TOTP_SECRET, frozen_wall)
    assert verify(TOTP_SECRET, current, for_time=frozen_wall)
    for code in (
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        current.translate(FULL_WIDTH),
        current + "\n",
        None,
        123456,
    ):
        assert verify(TOTP_SECRET, code, for_time=frozen_wall) is False


def test_a_numeric_code_is_accepted_too(anon, frozen_wall):
    code = int(totp_code(TOTP_SECRET, frozen_wall))
    body = {"username": "demo-2fa", "password": "demo", "code": code}
    assert anon.post("/authenticate", json=body).status_code == 200


def test_totp_uses_the_wall_clock_not_the_simulated_one(app, anon):
    app.advance(86400)  # a real authenticator app knows nothing of this
    api = Api(app)
    api.login("demo-2fa", "demo", code=totp_code())


def test_totp_matches_rfc_6238():
    # RFC 6238 appendix B (SHA-1, 8 digits).
    key = b"12345678901234567890"
    assert hotp(key, 59 // 30, 8) == "94287082"
    assert hotp(key, 1111111109 // 30, 8) == "07081804"


def test_calls_without_a_valid_token_answer_401(anon):
    assert_error(anon.get("/servers"), 401, "Authorization")
    anon.session.headers["Authorization"] = "Bearer not-a-token"
    assert_error(anon.get("/servers"), 401, "Invalid token")
    anon.session.headers["Authorization"] = "Basic ZGVtbzpkZW1v"
    assert_error(anon.get("/servers/3523"), 401)


def test_tokens_expire_after_their_lifetime_in_simulated_time(app, api):
    assert api.get("/servers").status_code == 200
    app.advance(3599)
    assert api.get("/servers").status_code == 200
    app.advance(2)
    meta = assert_error(api.get("/servers"), 401, "expired")
    assert meta["status_message"] == "401 Unauthorized"
    api.login()
    assert api.get("/servers").status_code == 200


def test_each_account_sees_only_its_own_servers(app, api, frozen_wall):
    other = Api(app)
    other.login("demo-2fa", "demo", code=totp_code(TOTP_SECRET, frozen_wall))
    mine = {row["srv_id"] for row in api.servers()}
    theirs = {row["srv_id"] for row in other.servers()}
    assert len(mine) == 8 and 2 <= len(theirs) <= 3
    assert not mine & theirs
    assert_error(other.get(f"/servers/{sorted(mine)[0]}"), 403, "permission")


def test_form_bodies_and_json_sent_as_a_form_are_accepted(anon):
    form = anon.post("/authenticate", data={"username": "demo", "password": "demo"})
    assert form.status_code == 200
    curl_style = anon.post(
        "/authenticate",
        data='{"username": "demo", "password": "demo"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert curl_style.status_code == 200
