"""What callers say -> digit strings: colloquial forms, no match on unknown words, ambiguous groupings."""

import importlib.util
import sys
from pathlib import Path

import pytest

from ivr.locales import load
from ivr.speech import Parsed, interpret, parse_digits, parse_reading
from ivr.speech.words import words

# --- The hand-written core: the forms the issue names, and the tricky ones -------------------------

RU = [
    # Colloquial thousands.
    ("две тыщи пять", "2005"),
    ("тыща", "1000"),
    ("одна тыща двести", "1200"),
    ("тыща девятьсот девяносто девять", "1999"),
    ("пять тыщ", "5000"),
    ("двадцать две тыщи триста", "22300"),
    ("сто тыщ", "100000"),
    ("тысячу двести", "1200"),
    ("одну тыщу пять", "1005"),
    ("три тыщи ноль ноль", "300000"),
    # Zero runs: the count before «нуля» is how many zeros.
    ("два нуля пять", "005"),
    ("один два нуля", "100"),
    ("пять три нуля семь", "50007"),
    ("четыре ноля", "0000"),
    ("пять нулей один", "000001"),
    ("один два нуля три два нуля", "100300"),
    ("двадцать два нуля", "2000"),
    # The digits' names.
    ("двойка семь два шесть", "2726"),
    ("единица двойка тройка", "123"),
    ("четвёрка пятёрка шестёрка", "456"),
    ("семерка восьмерка девятка", "789"),
    ("нолик нолик семь", "007"),
    ("единичка нулик", "10"),
    ("девятка два нуля", "900"),
    # One and a half only before a multiplier.
    ("полторы тысячи", "1500"),
    ("полторы тыщи", "1500"),
    ("полторы тысячи двадцать", "1520"),
    ("полторы тысячи пять", "1505"),
    ("полтора миллиона", "1500000"),
    ("полтораста", "150"),
    ("полтораста пять", "155"),
    # Millions and other whole numbers.
    ("один миллион двадцать", "1000020"),
    ("миллион", "1000000"),
    ("два миллиона триста тысяч сорок", "2300040"),
    ("один миллион двести двадцать тысяч", "1220000"),
    ("миллион тысяча", "1001000"),
    ("девятьсот девяносто девять тысяч девятьсот девяносто девять", "999999"),
    ("тысяча тысяча", "10001000"),
    # Fillers are skipped wherever they fall.
    ("э двадцать три", "23"),
    ("ну значит сорок пять", "45"),
    ("так вот сто пять", "105"),
    ("то есть двенадцать тридцать четыре", "1234"),
    ("щас сейчас один два три", "123"),
    ("двадцать э три", "23"),
    ("пять ну шесть вот", "56"),
    ("в общем короче семь типа", "7"),
    ("а ноль ноль семь", "007"),
    ("ээ ммм так значит это один", "1"),
]
RU_NONE = [
    # A word that is neither a number word nor a filler: no match, never the number without it.
    "две тысячи пять рублей",
    "двадцать первый",
    "пятый",
    "двадцать три запятая дом",
    "сто минус два",
    "один миллиард",
    "пара нулей",
    "сотня",
    "десяток",
    "[unk] двадцать три",
    "двадцать [unk] три",
    "один два [unk]",
    "двадцать показания три",
    "да двадцать три",
    "не двадцать три",
    # Half a thing with no multiplier after it is no whole number.
    "полтора",
    "полторы",
    "полторы двадцать",
    # Zero runs and counts that do not fit.
    "нуля",
    "нулей пять",
    "двадцать нулей",
    "один нуля",
    # Fillers alone.
    "э ну значит вот",
    "то есть",
]
EN = [
    # "double" and "triple" repeat the digit after them.
    ("double seven", "77"),
    ("double oh seven", "007"),
    ("triple five", "555"),
    ("one double two three", "1223"),
    ("twenty double five", "2055"),
    ("triple zero one", "0001"),
    # Zero runs.
    ("two zeros", "00"),
    ("one three zeros", "1000"),
    ("five two zeros one", "5001"),
    ("three noughts", "000"),
    # "oh": a zero after or before number words, a hesitation when said first before a filler.
    ("oh seven", "07"),
    ("oh oh one", "001"),
    ("five oh", "50"),
    ("nineteen oh five", "1905"),
    ("five oh um six", "506"),
    ("oh um five four three", "543"),
    ("oh, uh, twenty three", "23"),
    ("oh well one two", "12"),
    ("um oh five", "05"),
    ("o seven", "07"),
    ("nought seven", "07"),
    # Hundreds and thousands.
    ("twenty three hundred", "2300"),
    ("twelve hundred", "1200"),
    ("a hundred thousand", "100000"),
    ("one million and twenty", "1000020"),
    ("one million two hundred twenty thousand", "1220000"),
    ("two thousand and five", "2005"),
    ("one thousand, two hundred and thirty-four", "1234"),
    ("nine hundred ninety-nine thousand nine hundred ninety-nine", "999999"),
    ("thousand", "1000"),
    ("one hundred one hundred", "100100"),
    # Fillers.
    ("uh one two", "12"),
    ("so, well, forty", "40"),
    ("twenty um three", "23"),
    ("i mean one two three", "123"),
    ("you know five", "5"),
    ("like seven uhm eight", "78"),
]
EN_NONE = [
    "one my number is two",
    "twenty first",
    "fifth",
    "twelve point",
    "one billion",
    "half",
    "a dozen",
    "a couple of zeros",
    "[unk] twenty three",
    "one two [unk]",
    "yes twenty three",
    "twenty three please",
    "double",
    "double twenty",
    "triple",
    "zeros",
    "oh",
    "oh um",
    "uh oh",
]

# --- Generated tables: every name, count, filler and unknown word in every place --------------------

RU_DIGITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
RU_NOUNS = ["нолик", "единица", "двойка", "тройка", "четверка", "пятерка", "шестерка", "семерка",
            "восьмерка", "девятка"]  # fmt: skip
RU_THOUSANDS = {1: "одна тыща", 2: "две тыщи", 3: "три тыщи", 4: "четыре тыщи", 5: "пять тыщ",
                9: "девять тыщ", 11: "одиннадцать тыщ", 21: "двадцать одна тыща",
                22: "двадцать две тыщи", 40: "сорок тыщ"}  # fmt: skip
RU_FILLERS = ["э", "ну", "так", "значит", "как бы", "щас", "сейчас", "вот"]
# Words with a meaning in a sentence (запятая, нет, номер, киловатт: sentence.py) are left out.
RU_UNKNOWN = ["первый", "двадцатый", "сотня", "тире", "миллиард", "половина", "раз", "дом", "алло",
              "пожалуйста", "примерно", "около", "квартира", "рублей", "литров"]  # fmt: skip
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
EN_FILLERS = ["uh", "um", "so", "well", "like", "er", "hmm"]
# Words with a meaning in a sentence (first, point, no, number, meter: sentence.py) are left out.
EN_UNKNOWN = ["twentieth", "tenth", "dozen", "minus", "half", "billion", "grand", "hello", "please",
              "wait", "previous", "water", "dollars", "flat", "about"]  # fmt: skip


def ru_generated():
    yield from ((f"{noun} {RU_DIGITS[d]}", f"{d}{d}") for d, noun in enumerate(RU_NOUNS))
    yield from ((f"{RU_DIGITS[7]} {noun}", f"7{d}") for d, noun in enumerate(RU_NOUNS))
    for count in range(2, 10):
        zeros = "нуля" if count < 5 else "нулей"
        yield f"один {RU_DIGITS[count]} {zeros} два", "1" + "0" * count + "2"
        yield f"{RU_DIGITS[count]} {zeros}", "0" * count
    for thousands, spoken in RU_THOUSANDS.items():
        yield spoken, f"{thousands}000"
        yield f"{spoken} пять", f"{thousands}005"
        yield f"{spoken} триста сорок", f"{thousands}340"
    for filler in RU_FILLERS:
        yield f"{filler} двадцать три сорок пять", "2345"
        yield f"двадцать три {filler} сорок пять", "2345"
        yield f"двадцать три сорок пять {filler}", "2345"


def ru_generated_none():
    for word in RU_UNKNOWN:
        yield f"{word} двадцать три"
        yield f"две тыщи {word} пять"
        yield f"два нуля пять {word}"


def en_generated():
    for d, word in enumerate(EN_DIGITS):
        yield f"double {word}", f"{d}{d}"
        yield f"one triple {word}", f"1{d}{d}{d}"
    for n in range(1, 10):
        yield f"{EN_DIGITS[n]} hundred", f"{n}00"
        yield f"{EN_DIGITS[n]} thousand {EN_DIGITS[n]}", f"{n}00{n}"
        yield f"{EN_DIGITS[n]} oh {EN_DIGITS[n]}", f"{n}0{n}"
        yield f"{EN_DIGITS[n]} hundred and {EN_DIGITS[n]}", f"{n}0{n}"
        yield f"nineteen oh {EN_DIGITS[n]}", f"190{n}"
        yield f"oh {EN_DIGITS[n]}", f"0{n}"
    for filler in EN_FILLERS:
        yield f"{filler} twenty three forty five", "2345"
        yield f"twenty three {filler} forty five", "2345"
        yield f"twenty three forty five {filler}", "2345"
        yield f"oh {filler} six", "6"


def en_generated_none():
    for word in EN_UNKNOWN:
        yield f"{word} twenty three"
        yield f"two thousand {word} five"
        yield f"double oh seven {word}"
        yield word


RU_ALL = RU + list(ru_generated())
RU_NONE_ALL = RU_NONE + list(ru_generated_none())
EN_ALL = EN + list(en_generated())
EN_NONE_ALL = EN_NONE + list(en_generated_none())


def test_each_locale_has_at_least_200_transcripts():
    assert len(RU_ALL) + len(RU_NONE_ALL) >= 200
    assert len(EN_ALL) + len(EN_NONE_ALL) >= 200


@pytest.mark.parametrize("text, expected", RU_ALL)
def test_russian_callers_forms_become_their_digits(text, expected):
    assert parse_digits(text, "ru") == expected


@pytest.mark.parametrize("text", RU_NONE_ALL)
def test_russian_text_with_a_word_that_is_no_number_and_no_filler_is_no_match(text):
    assert parse_digits(text, "ru") is None
    assert parse_reading(text, "ru") == Parsed()


@pytest.mark.parametrize("text, expected", EN_ALL)
def test_english_callers_forms_become_their_digits(text, expected):
    assert parse_digits(text, "en") == expected


@pytest.mark.parametrize("text", EN_NONE_ALL)
def test_english_text_with_a_word_that_is_no_number_and_no_filler_is_no_match(text):
    assert parse_digits(text, "en") is None
    assert parse_reading(text, "en") == Parsed()


def test_digit_questions_hear_no_number_where_a_word_is_unknown():
    assert interpret("digits", "две тыщи пять", "ru") == "2005"
    assert interpret("digits", "две тыщи пять рублей", "ru") is None


# --- Groupings that are really ambiguous ---------------------------------------------------------

# (locale, transcript, every reading, the joined one first)
READINGS = [
    ("ru", "тридцать пять", ("35", "305")),
    ("ru", "двадцать пять тридцать", ("2530", "20530")),
    ("ru", "сто пять", ("105", "1005")),
    ("ru", "сто двадцать три", ("123", "1203", "10023", "100203")),
    ("ru", "сто двадцать три четыре", ("1234", "12034", "100234", "1002034")),
    ("ru", "двенадцать тридцать четыре", ("1234", "12304")),
    ("ru", "ноль сорок пять", ("045", "0405")),
    # Units and teens close a group, and a multiplier makes one number: nothing to split.
    ("ru", "двенадцать", ("12",)),
    ("ru", "один два три", ("123",)),
    ("ru", "две тысячи пять", ("2005",)),
    ("ru", "полторы тысячи двадцать", ("1520",)),
    ("ru", "два нуля пять", ("005",)),
    ("en", "thirty five", ("35", "305")),
    ("en", "one hundred five", ("105", "1005")),
    ("en", "thirty four hundred", ("3400", "30400")),
    ("en", "two thousand and five", ("2005",)),
    ("en", "twenty double five", ("2055",)),
    ("ko", "오 십 삼", ("53", "503")),
]


@pytest.mark.parametrize("locale, text, expected", READINGS)
def test_readings_list_every_grouping_the_joined_one_first(locale, text, expected):
    assert parse_reading(text, locale).readings == expected
    assert parse_digits(text, locale) == expected[0]


@pytest.mark.parametrize(
    "locale, text, expected", [("ru", t, e) for t, e in RU_ALL] + [("en", t, e) for t, e in EN_ALL]
)
def test_the_joined_reading_is_what_parse_digits_gives(locale, text, expected):
    assert parse_reading(text, locale).readings[0] == expected


# (transcript, display digits, previous reading, value picked)
PICKS = [
    ("тридцать пять", 5, 300, "305"),  # 35 is far below the previous one
    ("тридцать пять", 5, 30, "35"),  # both above it: the closest
    ("тридцать пять", 2, None, "35"),  # 305 is longer than the display
    ("тридцать пять", 3, 35, "35"),  # no use at all is still the closest
    ("сорок пять", 5, 99950, "45"),  # past all nines: the display rolled over
    ("двадцать пять тридцать", 5, 20100, "20530"),
    ("двадцать пять тридцать", 5, 2400, "2530"),
    ("сто двадцать три", 5, 10000, "10023"),
    ("сто двадцать три", 4, 1150, "1203"),
    ("сто двадцать три", 3, None, "123"),
    ("сто двадцать три четыре", 4, None, "1234"),
    ("ноль сорок пять", 4, "0400", "0405"),  # the previous reading as the display shows it
]


@pytest.mark.parametrize("text, digits, previous, expected", PICKS)
def test_the_display_and_the_previous_reading_pick_the_grouping_that_fits(text, digits, previous, expected):
    parsed = parse_reading(text, "ru", digits=digits, previous=previous)
    assert parsed.value == expected
    assert not parsed.ambiguous
    assert parsed.fits[0] == expected


def test_english_groupings_are_weighed_the_same_way():
    assert parse_reading("thirty four hundred ninety six", "en", digits=5, previous=30200).value == "30496"
    assert parse_reading("thirty four hundred ninety six", "en", digits=5, previous=3400).value == "3496"


# English "oh": (transcript, display digits, previous reading, value read back). A zero between
# or after numbers, a hesitation before a filler, and first before a number either: the display
# decides, and spellings of one number ("052", "52") are one reading, not an ambiguity.
OH = [
    ("five oh two", None, None, "502"),
    ("five oh two", 3, 400, "502"),
    ("double oh", None, None, "00"),
    ("double oh five", 3, None, "005"),
    ("one double oh", 3, None, "100"),
    ("oh, um, five", 3, None, "5"),
    ("oh um five four three", 3, None, "543"),
    ("oh five two", None, None, "052"),
    ("oh five two", 3, None, "052"),
    ("oh five two", 5, 40, "052"),
    ("oh five two", 2, None, "52"),  # no room for a zero: the "oh" was the caller thinking
    ("oh seven", 1, None, "7"),
    ("um oh five", 1, None, "5"),
    ("oh oh one", 2, None, "01"),
    ("oh double five", 2, None, "55"),
    ("oh twenty five", 2, None, "25"),
    ("oh twenty five", 3, 20, "025"),
    ("oh twenty five", 3, 200, "205"),
]


@pytest.mark.parametrize("text, digits, previous, expected", OH)
def test_english_oh_is_a_zero_or_a_hesitation_as_the_display_allows(text, digits, previous, expected):
    parsed = parse_reading(text, "en", digits=digits, previous=previous)
    assert parsed.value == expected
    assert not parsed.ambiguous


def test_a_first_oh_before_a_grouping_the_display_cannot_settle_is_asked_digit_by_digit():
    parsed = parse_reading("oh twenty five", "en", digits=3)
    assert parsed.value is None and parsed.ambiguous
    assert set(parsed.fits) == {"025", "205"}


def test_a_first_oh_lists_both_meanings_the_zero_first():
    assert parse_reading("oh seven", "en").readings == ("07", "7")
    assert parse_digits("oh seven", "en") == "07"


def test_groupings_that_fit_equally_are_ambiguous_so_the_caller_is_asked_digit_by_digit():
    parsed = parse_reading("тридцать пять", "ru", digits=5)
    assert parsed.value is None and parsed.ambiguous
    assert parsed.fits == ("35", "305")
    # Below the previous reading, with no display to roll over, neither is plausible.
    below = parse_reading("тридцать пять", "ru", previous=400)
    assert below.value is None and below.ambiguous


def test_a_reading_longer_than_every_display_fit_is_passed_on_for_the_flow_to_refuse():
    parsed = parse_reading("двенадцать тысяч", "ru", digits=4, previous=1000)
    assert parsed == Parsed(("12000",), (), "12000")
    assert not parsed.ambiguous


def test_one_reading_needs_no_weighing():
    assert parse_reading("две тысячи пять", "ru") == Parsed(("2005",), ("2005",), "2005")


def test_no_number_is_neither_a_value_nor_ambiguous():
    parsed = parse_reading("здравствуйте", "ru", digits=5, previous=100)
    assert parsed.value is None and not parsed.ambiguous and parsed.readings == ()


# --- The vocabulary the parser stands on ---------------------------------------------------------


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_no_filler_is_also_a_number_word(locale):
    vocabulary = load(locale).vocabulary
    number_words = {
        tuple(words(str(w)))
        for section in ("digits", "numbers", "repeaters")
        for w in vocabulary.get(section) or ()
    }
    assert not number_words & {tuple(words(w)) for w in vocabulary["fillers"]}


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_zero_runs_and_hesitations_are_zero_words_the_grammar_hears(locale):
    vocabulary = load(locale).vocabulary
    for word in (*vocabulary.get("zero_runs", ()), *vocabulary.get("hesitations", ())):
        assert vocabulary["digits"][word] == 0


def test_the_fillers_russian_callers_use_are_known():
    fillers = set(load("ru").vocabulary["fillers"])
    assert {"э", "ну", "так", "значит", "щас", "сейчас", "вот"} <= fillers
    assert "то есть" in load("ru").vocabulary["corrections"]  # «три, то есть пять»: a correction


# --- The benchmark's generator, on a sample, with its targets ------------------------------------


def _benchmark():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "digits.py"
    spec = importlib.util.spec_from_file_location("digits_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_sample_of_the_benchmark_meets_its_targets_in_every_style():
    pytest.importorskip("num2words")
    bench = _benchmark()
    results = bench.run(per_style=200, seed=11)
    for lang, rows in results.items():
        assert set(rows) >= {"digit by digit", "pairs", "triples", "whole number", "fillers", "unknown word"}
        for style, row in rows.items():
            assert row.exact_share >= bench.EXACT_TARGET, (lang, style)
            assert row.returned == 0, (lang, style)
            assert row.among == row.ambiguous, (lang, style)
        assert rows["unknown word"].unknown == 200
        assert rows["pauses lost"].ambiguous == 200
