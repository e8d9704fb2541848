"""Words -> meaning: digit strings, yes/no, intent, operator, grammars."""

import pytest

from ivr.locales import load
from ivr.speech import numbers, parse_digits, sentence
from ivr.speech.recognizer import KINDS
from ivr.speech.words import grammar, interpret, sections, words

REQUIRED = ("spoken_digits", "digits", "numbers", "yes", "no", "readings", "operator", "fillers")

# (locale, transcript, digits) tables, one per behaviour.
SINGLE_DIGITS = [
    ("ru", "один два три", "123"),
    ("ru", "ноль", "0"),
    ("ru", "нуль один", "01"),
    ("ru", "одна", "1"),
    ("ru", "одну две", "12"),
    ("ru", "восемь девять", "89"),
    ("ru", "шесть семь восемь", "678"),
    ("ru", "девять ноль", "90"),
    ("ru", "Два Три", "23"),
    ("ru", "ЧЕТЫРЕ ПЯТЬ", "45"),
    ("ru", "пять, шесть, семь.", "567"),
    ("en", "one two three", "123"),
    ("en", "zero", "0"),
    ("en", "oh seven", "07"),
    ("en", "o seven", "07"),
    ("en", "nought one", "01"),
    ("en", "one oh five", "105"),
    ("en", "six seven eight nine", "6789"),
    ("en", "nine nine", "99"),
    ("en", "ONE TWO", "12"),
    ("en", "Four Five", "45"),
    ("en", "five.", "5"),
    ("ko", "일 이 삼", "123"),
    ("ko", "영", "0"),
    ("ko", "육", "6"),
    ("ko", "사 오 칠 팔", "4578"),
]
REPEATS_AND_ZEROS = [
    ("ru", "два два два", "222"),
    ("ru", "четыре четыре", "44"),
    ("ru", "один один один один один", "11111"),
    ("ru", "ноль ноль семь", "007"),
    ("ru", "ноль ноль ноль", "000"),
    ("ru", "ноль девяносто", "090"),
    ("ru", "ноль сто", "0100"),
    ("en", "two two two", "222"),
    ("en", "four four four four", "4444"),
    ("en", "zero zero seven", "007"),
    ("en", "oh oh one", "001"),
    ("en", "double seven", "77"),
    ("en", "double oh seven", "007"),
    ("en", "triple five", "555"),
    ("ko", "이 이 이", "222"),
    ("ko", "공 일 공", "010"),
]
COMPOUNDS = [
    ("ru", "двадцать три сорок пять", "2345"),
    ("ru", "сто пять", "105"),
    ("ru", "триста", "300"),
    ("ru", "двести", "200"),
    ("ru", "девятнадцать", "19"),
    ("ru", "сто двадцать три", "123"),
    ("ru", "сто девятнадцать", "119"),
    ("ru", "девятьсот девяносто девять", "999"),
    ("ru", "шестьсот семьдесят", "670"),
    ("ru", "семьсот одиннадцать", "711"),
    ("ru", "восемьсот сорок два", "842"),
    ("ru", "двадцать", "20"),
    ("ru", "двадцать один", "21"),
    ("ru", "сорок четыре", "44"),
    ("ru", "девяносто один", "91"),
    ("ru", "восемьдесят", "80"),
    ("ru", "десять", "10"),
    ("ru", "сто", "100"),
    ("ru", "две тысячи двадцать три", "2023"),
    ("ru", "тысяча", "1000"),
    ("ru", "тысяча девятьсот", "1900"),
    ("ru", "пять тысяч", "5000"),
    ("ru", "пятьсот тысяч", "500000"),
    ("ru", "двенадцать тысяч триста сорок пять", "12345"),
    ("ru", "сто двадцать тысяч", "120000"),
    ("ru", "5 тысяч", "5000"),
    ("en", "twenty one", "21"),
    ("en", "twenty-one", "21"),
    ("en", "Twenty One", "21"),
    ("en", "one hundred five", "105"),
    ("en", "one hundred and five", "105"),
    ("en", "a hundred", "100"),
    ("en", "hundred", "100"),
    ("en", "five hundred", "500"),
    ("en", "three hundred", "300"),
    ("en", "two hundred twenty three", "223"),
    ("en", "nine hundred ninety nine", "999"),
    ("en", "one hundred twenty", "120"),
    ("en", "seven hundred eleven", "711"),
    ("en", "twenty three forty five", "2345"),
    ("en", "twenty three hundred", "2300"),
    ("en", "nineteen", "19"),
    ("en", "nineteen eighty four", "1984"),
    ("en", "eighteen", "18"),
    ("en", "ten", "10"),
    ("en", "thirty three", "33"),
    ("en", "forty", "40"),
    ("en", "fourty two", "42"),
    ("en", "fifty five", "55"),
    ("en", "seventy", "70"),
    ("en", "eighty nine", "89"),
    ("en", "ninety nine", "99"),
    ("en", "thousand", "1000"),
    ("en", "two thousand twenty three", "2023"),
    ("en", "twelve thousand three hundred forty five", "12345"),
    ("ko", "이십 삼", "23"),
    ("ko", "이 십 삼", "23"),
    ("ko", "오 십", "50"),
    ("ko", "십오", "15"),
    ("ko", "십 오", "15"),
    ("ko", "백 오", "105"),
    ("ko", "이백", "200"),
    ("ko", "삼 백", "300"),
    ("ko", "이백 삼 십", "230"),
]
SEPARATE_GROUPS = [
    ("ru", "двадцать тридцать", "2030"),
    ("ru", "сорок сорок", "4040"),
    ("ru", "пятьдесят шестьдесят семь", "5067"),
    ("ru", "семьдесят восемь девять", "789"),
    ("ru", "двадцать ноль", "200"),
    ("ru", "десять пять", "105"),
    ("ru", "одиннадцать двенадцать", "1112"),
    ("ru", "тринадцать четырнадцать пятнадцать", "131415"),
    ("ru", "шестнадцать семнадцать восемнадцать", "161718"),
    ("ru", "сто сто", "100100"),
    ("ru", "четыреста четыреста", "400400"),
    ("ru", "сто один сто два", "101102"),
    ("ru", "тысяча тысяча", "10001000"),
    ("en", "twenty thirty", "2030"),
    ("en", "twenty zero", "200"),
    ("en", "twenty oh", "200"),
    ("en", "ten five", "105"),
    ("en", "eleven twelve", "1112"),
    ("en", "thirteen fourteen", "1314"),
    ("en", "fifteen sixteen seventeen", "151617"),
    ("en", "sixty six sixty six", "6666"),
    ("en", "one hundred one hundred", "100100"),
    ("en", "one two three hundred", "12300"),
]
NOISE = [
    ("ru", "э два три", "23"),
    ("ru", "так значит один два", "12"),
    ("ru", "ну вот это пять", "5"),
    ("ru", "двадцать э три", "23"),
    ("ru", "мм сто пять ээ", "105"),
    ("ru", "эм как бы семь", "7"),
    ("ru", "Двадцать три — сорок пять", "2345"),
    ("en", "um one two", "12"),
    ("en", "uh, so, well, four", "4"),
    ("en", "it's twenty three", "23"),
    ("en", "like seven eight", "78"),
    ("en", "twenty um three", "23"),
    ("en", "let me see, nine", "9"),
    ("ko", "음 칠 팔", "78"),
    ("ko", "어 구", "9"),
]
ARABIC = [
    ("ru", "12 34", "1234"),
    ("ru", "007", "007"),
    ("ru", "12-34", "1234"),
    ("ru", "ну 5 6 7", "567"),
    ("ru", "один 2 три", "123"),
    ("en", "12 34", "1234"),
    ("en", "0042", "0042"),
    ("en", "1 two 3", "123"),
    ("en", "12,34", "1234"),
    ("ko", "12 34", "1234"),
]
NO_NUMBER = [
    ("ru", "здравствуйте"),
    ("ru", ""),
    ("ru", "   "),
    ("ru", "э ну значит"),
    ("ru", "показания"),
    ("ru", "да"),
    ("ru", "оператор"),
    ("ru", "[unk]"),
    ("en", "hello"),
    ("en", ""),
    ("en", "um uh"),
    ("en", "yes"),
    ("en", "operator"),
    ("en", "readings"),
    ("en", "double"),
    ("ko", "안녕하세요"),
    ("ko", "네"),
    # A word that is neither a number word, a filler nor a sentence word said where callers say
    # it (sentence.py) is no number, not one with it dropped.
    ("ru", "один номер два"),
    ("ru", "5 6 7 номер"),
    ("en", "one two my number is"),
]


@pytest.mark.parametrize("locale, text, expected", SINGLE_DIGITS)
def test_single_digit_words_become_digits(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text, expected", REPEATS_AND_ZEROS)
def test_repeated_digits_and_leading_zeros_survive(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text, expected", COMPOUNDS)
def test_compound_numbers_combine_as_callers_say_them(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text, expected", SEPARATE_GROUPS)
def test_numbers_that_cannot_combine_stay_separate_groups(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text, expected", NOISE)
def test_fillers_are_skipped(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text, expected", ARABIC)
def test_arabic_digits_are_taken_as_they_are(locale, text, expected):
    assert parse_digits(text, locale) == expected


@pytest.mark.parametrize("locale, text", NO_NUMBER)
def test_text_without_a_number_or_with_an_unknown_word_gives_none(locale, text):
    assert parse_digits(text, locale) is None


def test_ru_and_en_each_have_at_least_60_transcripts():
    tables = SINGLE_DIGITS + REPEATS_AND_ZEROS + COMPOUNDS + SEPARATE_GROUPS + NOISE + ARABIC
    rows = [row[0] for row in tables + NO_NUMBER]
    assert rows.count("ru") >= 60 and rows.count("en") >= 60 and rows.count("ko") >= 15


def test_yo_is_read_as_ye():
    assert words("Счётчик ВСЁ") == ["счетчик", "все"]


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_every_spoken_digit_reads_back_as_its_digit(locale):
    pack = load(locale)
    assert parse_digits(pack.spell("0123456789"), locale) == "0123456789"
    assert parse_digits(pack.spell("0070"), locale) == "0070"


# (locale, kind, transcript, meaning)
INTERPRET = [
    ("ru", "yesno", "да", "yes"),
    ("ru", "yesno", "да, верно", "yes"),
    ("ru", "yesno", "ага", "yes"),
    ("ru", "yesno", "конечно да", "yes"),
    ("ru", "yesno", "всё верно", "yes"),
    ("ru", "yesno", "так точно", "yes"),
    ("ru", "yesno", "Правильно", "yes"),
    ("ru", "yesno", "нет", "no"),
    ("ru", "yesno", "нет нет", "no"),
    ("ru", "yesno", "неверно", "no"),
    ("ru", "yesno", "не верно", "no"),
    ("ru", "yesno", "не правильно", "no"),
    ("ru", "yesno", "не так", "no"),
    ("ru", "yesno", "да нет", None),
    ("ru", "yesno", "хм", None),
    ("ru", "yesno", "", None),
    ("ru", "yesno", "оператор", "operator"),
    ("ru", "yesno", "да, оператор", "operator"),
    ("ru", "intent", "показания", "readings"),
    ("ru", "intent", "Передать показания", "readings"),
    ("ru", "intent", "хочу показания передать", "readings"),
    ("ru", "intent", "счётчик", "readings"),
    ("ru", "intent", "счетчик", "readings"),
    ("ru", "intent", "оплата", None),
    ("ru", "intent", "позовите человека", "operator"),
    ("ru", "intent", "показания или оператор", "operator"),
    ("ru", "digits", "двадцать три", "23"),
    ("ru", "digits", "соедините с оператором", "operator"),
    ("ru", "digits", "ничего", None),
    ("ru", "free", "что угодно", None),
    ("ru", "free", "специалиста пожалуйста", "operator"),
    ("en", "yesno", "yes", "yes"),
    ("en", "yesno", "yeah", "yes"),
    ("en", "yesno", "that's right", "yes"),
    ("en", "yesno", "right", "yes"),
    ("en", "yesno", "no", "no"),
    ("en", "yesno", "not right", "no"),
    ("en", "yesno", "that is wrong", "no"),
    ("en", "yesno", "yes no", None),
    ("en", "yesno", "agent please", "operator"),
    ("en", "intent", "readings", "readings"),
    ("en", "intent", "meter reading", "readings"),
    ("en", "intent", "billing", None),
    ("en", "intent", "I want a human", "operator"),
    ("en", "digits", "twenty one", "21"),
    ("en", "digits", "representative", "operator"),
    ("en", "free", "anything at all", None),
    ("ko", "yesno", "네", "yes"),
    ("ko", "yesno", "예", "yes"),
    ("ko", "yesno", "아니요", "no"),
    ("ko", "yesno", "아니", "no"),
    ("ko", "yesno", "네 아니요", None),
    ("ko", "intent", "계량기", "readings"),
    ("ko", "intent", "검침", "readings"),
    ("ko", "intent", "상담원", "operator"),
    ("ko", "digits", "일 이", "12"),
]


@pytest.mark.parametrize("locale, kind, text, expected", INTERPRET)
def test_interpret_gives_the_meaning_for_the_question_kind(locale, kind, text, expected):
    assert interpret(kind, text, locale) == expected


def test_unknown_question_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        interpret("colour", "да", "ru")
    with pytest.raises(ValueError, match="kind"):
        grammar("colour", "ru")


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_pack_has_every_required_vocabulary_section(locale):
    vocabulary = load(locale).vocabulary
    assert set(REQUIRED) <= set(vocabulary)
    assert len(vocabulary["spoken_digits"]) == 10
    assert sorted(set(vocabulary["digits"].values())) == list(range(10))
    assert all(word in vocabulary["numbers"] for word in vocabulary.get("multipliers", ()))


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_phrase_means_two_things_at_one_question(locale, kind):
    vocabulary = load(locale).vocabulary
    seen = {}
    for section in sections(kind):
        for phrase in vocabulary.get(section) or ():
            key = tuple(words(str(phrase)))
            first = seen.setdefault(key, section)
            assert first == section, f"{phrase!r} is in both {first} and {section}"


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_digits_grammar_lists_digit_number_and_operator_words(locale):
    vocabulary = load(locale).vocabulary
    listed = grammar("digits", locale)
    for section in ("digits", "numbers", "operator"):
        assert set(map(str, vocabulary[section])) <= set(listed)
    # "okay" and «ага» said before a number are fillers there, not a yes.
    assert not set(vocabulary["yes"]) - set(vocabulary.get("fillers") or ()) & set(listed)


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_the_digits_grammar_holds_every_word_the_parser_understands(locale):
    """Every word numbers.py and sentence.py read is one the recogniser may output."""
    understood = {word for phrase in [*numbers._table(locale), *sentence._table(locale)] for word in phrase}
    assert understood <= set(grammar("digits", locale))
    if locale != "ko":
        assert {"запятая", "киловатт", "лицевой", "день", "всё".replace("ё", "е")} <= set(
            grammar("digits", "ru")
        )
        assert {"point", "kilowatt", "account", "night", "sorry"} <= set(grammar("digits", "en"))


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_unk_counts_as_an_unknown_word_not_as_silence(locale):
    """A model with [unk] puts it for what the grammar lacks; the parser hears a word it does not
    know, so the answer is a no-match even with a number around it."""
    number = {"ru": "двенадцать тысяч", "en": "twelve thousand"}[locale]
    assert interpret("digits", number, locale) == "12000"
    for text in (f"[unk] {number}", f"{number} [unk]", "[unk]"):
        assert interpret("digits", text, locale) is None


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_yesno_grammar_is_yes_no_and_operator_words(locale):
    vocabulary = load(locale).vocabulary
    expected = {*vocabulary["yes"], *vocabulary["no"], *vocabulary["operator"]}
    assert set(grammar("yesno", locale)) == expected


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
def test_intent_grammar_is_readings_and_operator_words(locale):
    vocabulary = load(locale).vocabulary
    assert set(grammar("intent", locale)) == {*vocabulary["readings"], *vocabulary["operator"]}


@pytest.mark.parametrize("locale", ["ru", "en", "ko"])
@pytest.mark.parametrize("kind", ["digits", "yesno", "intent"])
def test_grammar_is_plain_unique_strings_without_unk(locale, kind):
    listed = grammar(kind, locale)
    assert listed and all(isinstance(w, str) and w.strip() for w in listed)
    assert len(listed) == len(set(listed))
    assert "[unk]" not in listed


def test_free_speech_has_no_grammar():
    assert grammar("free", "ru") == []


def test_english_yes_and_no_stay_words_not_yaml_booleans():
    listed = grammar("yesno", "en")
    assert "yes" in listed and "no" in listed
