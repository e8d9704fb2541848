"""The sentence around a number: context words, units, end words, corrections, fractions, zones."""

import pytest

from ivr.speech import interpret, understand
from ivr.speech.recognizer import Recognition
from ivr.speech.service import Speech


@pytest.mark.parametrize(
    "locale, text, expected",
    [
        ("ru", "у меня двенадцать триста сорок пять", "12345"),
        ("ru", "лицевой счёт один ноль пять", "105"),
        ("ru", "двенадцать тысяч киловатт-часов", "12000"),
        ("ru", "один два три, всё, спасибо, до свидания", "123"),
        ("en", "the reading is one two three kilowatt hours, that's it", "123"),
        ("en", "um let me check, one two three", "123"),
        # Any run of context words leads the number; a filler phrase is matched whole.
        ("ru", "номер моего лицевого счёта один два три", "123"),
        ("ru", "так, сейчас скажу, один два три", "123"),
        ("en", "hang on, the reading on my meter is one two three", "123"),
        # After «всё» nothing counts, garbage words included.
        ("ru", "один два три, это всё, что там есть", "123"),
    ],
)
def test_a_number_is_taken_out_of_the_words_callers_put_around_it(locale, text, expected):
    assert understand(text, locale).value == expected
    assert interpret("digits", text, locale) == expected


@pytest.mark.parametrize(
    "locale, text",
    [
        ("ru", "двенадцать показания триста"),  # context inside the number
        ("ru", "киловатт двенадцать"),  # a unit before it
        ("ru", "двенадцать тысяч рублей"),  # money is no unit of this line
        ("ru", "всё двенадцать"),  # the answer ended before the number
        ("ru", "двенадцать тысяч ой"),  # the correction is still to come
        ("ru", "двенадцать запятая дом"),  # the fraction is no number
        ("ru", "двенадцать запятая"),  # the fraction is still to come
        ("ru", "[unk] двенадцать"),
        ("ru", "двенадцать [unk]"),
        ("en", "[unk] twelve"),
        ("en", "twelve thousand dollars"),
        ("en", "about twelve thousand"),
        ("ru", "на счётчике было двенадцать тысяч"),  # what it was, not what it is
        ("ru", "предыдущие показания двенадцать тысяч"),
        ("en", "the previous reading was twelve thousand"),
    ],
)
def test_a_word_said_where_callers_do_not_say_it_is_still_no_match(locale, text):
    assert understand(text, locale).value is None
    assert interpret("digits", text, locale) is None


def test_unk_is_an_unknown_word_not_silence():
    """A model with [unk] gives it for words outside the grammar: the answer is a no-match, and
    the rest of it is never taken as the number."""
    heard = Speech({}).judge(Recognition("[unk] один два", 0.95), "digits", "ru")
    assert heard.value is None and heard.readings == ()
    assert Speech({}).judge(Recognition("один два", 0.95), "digits", "ru").value == "12"


@pytest.mark.parametrize(
    "locale, text, expected",
    [
        ("ru", "ноль семь два ой ноль семь три", ("073",)),
        ("ru", "три, то есть пять один два", ("512",)),
        ("en", "seven eight nine, no wait, seven nine eight", ("798",)),
        # Said shorter, the correction replaces the tail, as long as the display allows.
        ("ru", "один ноль ноль ноль семь два ой ноль семь три", ("100073",)),
        ("en", "one two three four five no six", ("12346",)),
        ("ru", "двенадцать тысяч триста сорок пять нет сорок шесть", ("12346", "12406")),
    ],
)
def test_the_callers_last_version_wins(locale, text, expected):
    assert understand(text, locale).readings == expected


@pytest.mark.parametrize(
    "locale, text",
    [
        ("ru", "двенадцать тысяч триста сорок пять запятая семь"),
        ("ru", "двенадцать тысяч триста сорок пять и две десятых"),
        ("ru", "двенадцать тысяч триста сорок пять целых семь десятых"),
        ("ru", "двенадцать тысяч триста сорок пять с половиной"),
        ("en", "twelve thousand three hundred forty five point six seven"),
        ("en", "twelve thousand three hundred forty five and a half"),
    ],
)
def test_a_fraction_read_off_the_display_is_dropped_and_said_so(locale, text):
    said = understand(text, locale)
    assert said.value == "12345" and said.decimals
    assert not understand("двенадцать тысяч триста сорок пять и два", "ru").decimals  # «и» as a filler


def test_zones_named_in_one_answer_each_get_their_number():
    said = understand("день двенадцать тысяч триста, ночь четыре тысячи", "ru")
    assert [(zone, readings[0]) for zone, readings in said.zones] == [("day", "12300"), ("night", "4000")]
    said = understand("T1 one two three T2 four five six", "en")
    assert [(zone, readings[0]) for zone, readings in said.zones] == [(1, "123"), (2, "456")]
    assert understand("двенадцать день три", "ru").value is None  # a number before the first zone


def test_hundreds_read_one_by_one_list_both_groupings():
    """«двести ноль семь» is 20007 read in triples, or 207: the display and the accounts decide."""
    assert set(understand("сто пять двести ноль семь", "ru").readings) >= {"10520007", "105207"}
    assert understand("двести ноль семьдесят", "ru").readings[0] == "200070"


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_sentence_words_are_no_garbage_at_a_digits_question(locale):
    text = {"ru": "подождите, извините, двенадцать", "en": "twelve, no wait, thirteen"}[locale]
    assert interpret("digits", text, locale) in ("12", "13")
    assert interpret("yesno", "извините да" if locale == "ru" else "sorry yes", locale) is None


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_every_phrase_of_a_pack_is_text(locale):
    """YAML reads a bare on, off, yes or no as a boolean: such a word would never be heard."""
    from ivr.locales import load

    for section, entries in load(locale).vocabulary.items():
        phrases = (
            entries.keys() if isinstance(entries, dict) else entries if isinstance(entries, list) else ()
        )
        assert all(isinstance(phrase, (str, int)) and phrase is not True for phrase in phrases), section
