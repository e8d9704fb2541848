"""Every reply a text channel sends exists in every locale pack, with every zone label and count."""

import pytest

from ivr import locales
from ivr.flows import REPLIES, Say
from ivr.locales import replies

PACKS = locales.available()


@pytest.mark.parametrize("code", PACKS)
def test_every_reply_and_zone_label_is_in_every_pack(code):
    pack = replies.load(code)
    labels = {f"zone_{n}_{z}" for n in (1, 2, 3) for z in range(1, n + 1)}
    assert set(REPLIES) | labels | {"and"} <= set(pack.texts)


@pytest.mark.parametrize("code", PACKS)
def test_every_reply_renders_with_the_parameters_the_flow_gives(code):
    params = {"count": 2, "account": "100001", "zones": [(2, 1), (2, 2)], "label": (2, 1), "digits": "12345",
              "previous": "12000", "max": 6, "consumption": 5000, "minutes": 60, "phone": "+79161234567"}  # fmt: skip
    for reply in REPLIES:
        used = {k: v for k, v in params.items() if "{" + k in replies.load(code).texts[reply] or k == "count"}
        assert replies.load(code).text([Say(reply, used)]).strip()


def test_the_russian_needs_reply_names_the_zones():
    says = [Say("needs", {"account": "100001", "count": 2, "zones": [(2, 1), (2, 2)]})]
    assert replies.load("ru").text(says) == "Для счёта 100001 нужно 2 показания: Т1 (день) и Т2 (ночь)."


@pytest.mark.parametrize(("n", "word"), [(1, "показание"), (2, "показания"), (5, "показаний"), (11, "показаний"),
                                         (21, "показание"), (22, "показания")])  # fmt: skip
def test_russian_counts_agree(n, word):
    assert replies.load("ru").plural(n) == word
