"""The TwiML each kind of question produces, and prompts played from recordings."""

import xml.etree.ElementTree as ET
from pathlib import Path

from ivr import config as ivr_config
from ivr.flows.kinds import DIGITS, INTENT, YESNO
from ivr.flows.model import Ask, Hangup, Say, Transfer
from ivr.locales import load
from ivr.telephony.twiml import Renderer


def render(actions, **config):
    settings = ivr_config.load(config, Path("instance"))
    renderer = Renderer(load("ru"), lambda endpoint, params: f"/{endpoint}?{params}", settings)
    return ET.fromstring(renderer.render(actions, seq=7))


def test_voice_question_records_after_the_prompt_and_any_key_ends_the_recording():
    root = render([Say("welcome"), Ask("intent", INTENT, False, "intent")])
    assert [v.tag for v in root] == ["Say", "Say", "Record", "Redirect"]
    record = root.find("Record")
    assert record.get("finishOnKey") == "0123456789*#" and record.get("playBeep") == "false"
    assert "q': 7" in record.get("action") and "silence" in root.find("Redirect").text
    assert root.find("Say").get("language") == "ru-RU"


def test_keypad_question_gathers_dtmf_with_the_prompts_inside_so_keys_can_barge_in():
    root = render([Say("keypad_on"), Ask("account", DIGITS, True, "account_keys")])
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf" and gather.get("finishOnKey") == "#"
    assert [v.tag for v in gather] == ["Say", "Say"]
    yesno = render([Ask("address", YESNO, True, "address", {"address": "ул. Мира"})]).find("Gather")
    assert yesno.get("numDigits") == "1" and "ул. Мира" in yesno.find("Say").text


def test_transfer_dials_the_operator_or_apologises_without_one():
    assert (
        render([Transfer("operator")], IVR_OPERATOR_NUMBER="+74950000001").find("Dial").text == "+74950000001"
    )
    root = render([Transfer("operator")])
    assert [v.tag for v in root] == ["Say", "Hangup"]


def test_recorded_prompt_is_played_instead_of_spoken(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "welcome.wav").write_bytes(b"RIFF")
    root = render([Say("welcome"), Say("goodbye", {"count": 2}), Hangup()], IVR_PROMPTS_DIR=str(tmp_path))
    assert [v.tag for v in root] == ["Play", "Say", "Hangup"]
    assert "prompt_audio" in root.find("Play").text


def test_configured_voice_overrides_the_locale_pack():
    assert render([Say("welcome")], IVR_SAY_VOICE="alice").find("Say").get("voice") == "alice"
