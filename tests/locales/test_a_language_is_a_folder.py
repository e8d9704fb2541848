"""A language is a folder: a pack found in IVR_LOCALES_DIR takes calls and texts, and its words mask
log lines, with no Python file changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ivr import config, locales, logs
from ivr.flows import TextKind, parse_text
from ivr.locales import BUILT_IN
from ivr.locales.lexicon import lexicon
from ivr.settings import ConfigError
from tests.conftest import ACCOUNT_SID
from tests.texts.conftest import KNOWN, message_text, signed

# Esperanto's own words, which no built-in pack has, so they can only come from the toy pack.
TEXTS = {
    "template": {
        "letters": "a-zĉĝĥĵŝŭ",
        "words": ["legajoj", "konto"],
        "zone": ["t"],
        "keywords": {
            "help": ["helpu", "?"],
            "stop": ["haltu"],
            "start": ["komencu"],
            "confirm": ["jes", "1"],
        },
    },
    "addresses": {"markers": ["strato", "domo"], "numbered": True, "characters": "0-9 ,/-"},
}
MARK = "[eo] "  # every prompt and reply of the toy pack starts with it


def marked(path: Path, keep: tuple[str, ...] = ()) -> None:
    """Rewrite a copied pack file with every text marked as the toy pack's."""
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = {k: v if k in keep or not isinstance(v, str) else MARK + v for k, v in texts.items()}
    path.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def packs(tmp_path) -> Path:
    """A folder of packs holding eo: English's copied, its texts marked, its words Esperanto's."""
    folder = tmp_path / "packs"
    shutil.copytree(BUILT_IN / "en", folder / "eo")
    marked(folder / "eo" / "prompts.yaml")
    marked(folder / "eo" / "replies.yaml", keep=("and",))
    (folder / "eo" / "texts.yaml").write_text(yaml.safe_dump(TEXTS, allow_unicode=True), encoding="utf-8")
    yield folder
    locales.use(None)  # the process's packs as the other tests expect them


@pytest.fixture
def settings(settings, packs) -> dict:
    """The app's settings, with the toy pack installed and the line's language."""
    return {**settings, "IVR_LOCALES_DIR": str(packs), "IVR_LOCALE": "eo"}


def test_a_call_in_the_toy_language_hears_its_prompts(app, phone):
    call = phone("+79161234567")  # on account 100001; eo has no speech model: the keypad
    heard = [call.dial(), call.press("1"), call.press("1"), call.press("1100#"), call.press("1")]
    says = [say for h in heard for say in h.says]
    assert says and all(say.startswith(MARK) for say in says), says
    assert "ул. Ленина" in heard[1].text  # the address, read in the toy language's sentence
    assert heard[-1].waits_for == "hangup"


def sms(client, body: str, sid: str) -> tuple[int, str]:
    """POST /twilio/sms signed as Twilio would; the status and the reply's text."""
    params = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": KNOWN, "To": "+74950000000",
              "Body": body, "NumMedia": "0"}  # fmt: skip
    response = client.post("/twilio/sms", data=params, headers=signed(params))
    return response.status_code, message_text(response.get_data(as_text=True))


def test_an_sms_in_the_toy_language_is_read_with_its_words_and_answered_from_its_pack(app, client):
    assert sms(client, "Legajoj 100001 1100", "SM" + "1" * 32) == (
        200,
        MARK + "1 reading received. Thank you!",
    )
    assert sms(client, "helpu", "SM" + "2" * 32)[1].startswith(MARK + "Send your account number")
    assert sms(client, "HELP", "SM" + "3" * 32)[1].startswith("Send your account number")  # English's own


def test_the_toy_words_tell_its_language_and_mask_its_addresses(packs):
    locales.use(packs)
    assert "eo" in locales.available()
    assert (parse_text("legajoj 100001 1100", lexicon()).locale, parse_text("jes", lexicon()).kind) == (
        "eo",
        TextKind.CONFIRM,
    )
    assert logs.scrub("params ('strato Verda 5, domo 12', 7)") == "params ('strato Verda 5, domo, ***', 7)"
    assert logs.scrub("ул. Ленина, д. 1, кв. 1") == "ул. Ленина, ***"  # the built-in packs' still count
    locales.use(None)
    assert (
        "eo" not in locales.available() and parse_text("legajoj 100001", lexicon()).kind == TextKind.UNKNOWN
    )


def test_a_pack_there_of_a_built_in_code_replaces_it(packs):
    (packs / "eo").rename(packs / "en")
    locales.use(packs)
    assert locales.load("en").text("welcome").startswith(MARK)
    assert locales.available() == ["en", "ko", "ru"]


def test_the_setting_names_a_folder_and_the_default_locale_may_be_one_of_its_packs(packs, tmp_path):
    assert config.load({"IVR_LOCALES_DIR": str(packs), "IVR_LOCALE": "eo"}, tmp_path).locales_dir == str(
        packs
    )
    with pytest.raises(ConfigError, match="IVR_LOCALE"):
        config.load({"IVR_LOCALE": "eo"}, tmp_path)
    with pytest.raises(ConfigError, match="IVR_LOCALES_DIR: no such folder"):
        config.load({"IVR_LOCALES_DIR": str(tmp_path / "nowhere")}, tmp_path)


@pytest.mark.parametrize("code", locales.available())
def test_every_built_in_pack_writes_its_letters_words_and_a_keyword_of_each_kind(code):
    language = next(lang for lang in lexicon().languages if lang.code == code)
    assert language.letters and language.words
    assert set(language.keywords) == {TextKind.HELP, TextKind.STOP, TextKind.START, TextKind.CONFIRM}
    assert all(language.keywords.values())


def test_a_reply_the_pack_lacks_is_answered_in_english(packs):
    """A pack written before a reply was added answers with English's, never a KeyError."""
    from ivr.flows import Say
    from ivr.locales import replies

    path = packs / "eo" / "replies.yaml"
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    del texts["template"]
    path.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    locales.use(packs)

    toy = replies.load("eo")
    assert toy.text([Say("template")]) == replies.load("en").text([Say("template")])
    assert toy.text([Say("too_long")]).startswith(MARK)  # what it has stays its own
