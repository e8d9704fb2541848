"""Spoken numbers to digit strings: every grouping the caller may mean, and the one that fits.

A transcript is number words and the locale's fillers, nothing else: any other word makes it a
no-match, never a number with that word dropped. Callers chain words into groups («сто двадцать
три»), and a group without a multiplier may hide pauses the transcript lost: «тридцать пять» is
35, or 30 then 5 from a display read in pairs. `readings` lists those groupings; the flow keeps the
one the meter's display and the previous reading allow. The words around a number (context, units,
corrections, fractions, zones) are sentence.py's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import islice, product

from ivr.locales import load
from ivr.speech.words import phrases_in, words

# Multipliers from a thousand up scale all that was said since the last bigger one («двести
# двадцать тысяч»); smaller ones ("hundred", Korean 십) only the number just before them.
BIG = 1000
# At most this many readings are weighed; the product of a long transcript's groupings is cut there.
MAX_READINGS = 256

Term = tuple[str, object]  # (kind, value): num, mult, repeat, zeros, hesitant, filler, arabic


@dataclass(frozen=True)
class Parsed:
    """What a transcript says as a meter reading.

    readings: every digit string its groupings may mean, the joined one («тридцать пять» = 35)
        first; empty when the text holds no number or a word that is neither number nor filler.
    fits: the readings the display allows, one spelling per number, best first (closest at or
        above the previous reading, the display wrapping past all nines).
    value: the reading to read back; None when there is no number, or when several fit equally
        (`ambiguous`: ask for it digit by digit). When none fits the display it is the joined
        reading, which the flow refuses with its own message about the display's length.
    """

    readings: tuple[str, ...] = ()
    fits: tuple[str, ...] = ()
    value: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.value is None and len(self.fits) > 1


@cache
def _table(locale: str) -> dict[tuple[str, ...], Term]:
    """Map every number word and filler of a locale to what it does in a number."""
    vocabulary = load(locale).vocabulary
    table: dict[tuple[str, ...], Term] = {}

    def put(phrases, kind: str, value=None) -> None:  # noqa: ANN001
        items = phrases.items() if isinstance(phrases, dict) else ((p, value) for p in phrases or ())
        for phrase, val in items:
            table[tuple(words(str(phrase)))] = (kind, val)

    put(vocabulary.get("fillers"), "filler")
    put(vocabulary.get("digits"), "num")
    put(vocabulary.get("numbers"), "num")
    put({p: vocabulary["numbers"][p] for p in vocabulary.get("multipliers") or ()}, "mult")
    put(vocabulary.get("repeaters"), "repeat")
    put(vocabulary.get("zero_runs"), "zeros", 0)
    put(vocabulary.get("hesitations"), "hesitant", 0)
    return table


def is_number_word(word: str, locale: str) -> bool:
    """Say whether a word says part of a number: a digit, a number word, "double", "oh"."""
    term = _table(locale).get((word,))
    return (word.isascii() and word.isdigit()) or (term is not None and term[0] != "filler")


def _terms(text: str, locale: str) -> list[Term] | None:
    """Read a transcript as number terms, the longest phrase first; None at an unknown word."""
    terms: list[Term] = []
    for term, word in phrases_in(words(text), _table(locale)):
        if term is None and not (word.isascii() and word.isdigit()):
            return None
        terms.append(term or ("arabic", word))
    return terms


def _atoms(terms: list[Term]) -> list[Term] | None:
    """Resolve hesitations, fillers, zero runs and repeats; None when one is left incomplete."""
    said: list[Term] = []
    for i, (kind, value) in enumerate(terms):
        if kind == "hesitant":
            # "oh" first, with a filler or nothing after it, is the caller thinking aloud.
            after = terms[i + 1][0] if i + 1 < len(terms) else "filler"
            first = not any(k in ("num", "arabic", "repeat", "zeros") for k, _ in terms[:i])
            kind = "filler" if first and after == "filler" else "num"
        if kind != "filler":
            said.append((kind, value))
    atoms: list[Term] = []
    i = 0
    while i < len(said):
        kind, value = said[i]
        if kind == "zeros":  # «два нуля»: the count said before it, in zeros
            count = atoms.pop() if atoms and atoms[-1][0] == "num" else None
            if count is None or count[1] not in range(2, 10):
                return None
            atoms += [("digit", 0)] * count[1]
        elif kind == "repeat":  # "double seven": the next digit, that many times
            digit = said[i + 1] if i + 1 < len(said) else None
            if digit is None or digit[0] != "num" or digit[1] not in range(10):
                return None
            atoms += [("digit", digit[1])] * value
            i += 1
        else:
            atoms.append((kind, value))
        i += 1
    return atoms


def _room(value: float) -> int:
    """Bound what may still join a group ending in this number: сто takes tens, двадцать units."""
    if value >= 100 and value % 100 == 0:
        return 100
    if value >= 20 and value % 10 == 0:
        return 10
    # Units and teens close their group: «два два» is 22, «десять пять» is 105.
    return 1


@dataclass
class _Group:
    """One number as the caller chained it: «две тысячи двадцать пять» is one group."""

    seg: float  # what was said since the last big multiplier
    room: int  # a later number joins only if 0 < it < room
    high: int = 0  # what big multipliers scaled: the 2000 of «две тысячи двадцать пять»
    big: int = 0  # the last big multiplier; a later one must be smaller
    tail: float = 0  # the last number that joined, which a small multiplier may scale alone
    before: int = 0  # the room before the tail joined; 0 when the group has no tail
    # The words said one after another, between which the caller may have paused: «тридцать»
    # and «пять». None once a big multiplier made the group one number: «две тысячи пять».
    parts: list[Term] | None = None
    text: str | None = None  # typed-in digits, kept as they are

    @classmethod
    def of(cls, value: float, room: int, text: str | None = None) -> _Group:
        return cls(value, room, parts=[("num", value)], text=text)

    @classmethod
    def alone(cls, factor: int) -> _Group:
        """A multiplier with nothing before it to scale: «тысяча», "hundred"."""
        return cls(0, factor, high=factor, big=factor) if factor >= BIG else cls.of(factor, factor)

    def join(self, value: float) -> bool:
        """Add a number to this group if it fits in its room."""
        if self.text or not 0 < value < self.room:
            return False
        self.seg, self.tail, self.before, self.room = self.seg + value, value, self.room, _room(value)
        if self.parts is not None:
            self.parts.append(("num", value))
        return True

    def scale(self, factor: int) -> _Group | None:
        """Apply a multiplier; return a new group when it cannot scale this one."""
        if factor >= BIG:
            if 0 < self.seg < factor and (not self.big or factor < self.big):
                # A half took the hundreds: «полторы тысячи двадцать» = 1520.
                room = factor if self.seg == int(self.seg) else factor // 10
                self.high += round(self.seg * factor)
                self.seg, self.big, self.room, self.before, self.parts, self.text = (
                    0,
                    factor,
                    room,
                    0,
                    None,
                    None,
                )
                return None
            if self.seg == 0 and factor < self.room:  # «миллион тысяча»: one thousand implied
                self.high, self.big, self.room = self.high + factor, factor, factor
                return None
            return _Group.alone(factor)
        if 0 < self.high + self.seg < factor:  # "twenty three hundred", 오 십
            self.seg, self.room, self.before, self.text = self.seg * factor, factor, 0, None
        elif not (self.before and 0 < self.tail < factor):
            return _Group.alone(factor)
        elif self.tail * factor < self.before:  # "twelve thousand three hundred": 12003 -> 12300
            self.seg, self.tail, self.room = self.seg + self.tail * (factor - 1), self.tail * factor, factor
        else:  # "one hundred one hundred": the second "one" takes the multiplier in a group of its own
            self.seg, self.room = self.seg - self.tail, 0
            if self.parts:
                self.parts.pop()
            return _Group(self.tail * factor, factor, parts=[("num", self.tail), ("mult", factor)])
        if self.parts is not None:
            self.parts.append(("mult", factor))
        return None

    def joined(self) -> str:
        """The digits of the group as one number."""
        if self.seg != int(self.seg):
            raise ValueError("a half with no multiplier after it")
        return self.text or str(self.high + int(self.seg))

    def spellings(self) -> list[str]:
        """Every digit string this group may mean: joined first, then split where a pause may hide."""
        # A pause may hide before any number word of the group, never before a multiplier.
        parts = self.parts or []
        cuts = [i for i in range(1, len(parts)) if parts[i][0] != "mult"]
        splits = []
        for chosen in islice(product((False, True), repeat=len(cuts)), 1, None):
            edges = [0, *(cut for cut, take in zip(cuts, chosen) if take), len(parts)]
            pieces = [_groups(parts[a:b]) for a, b in zip(edges, edges[1:])]
            if all(len(piece) == 1 for piece in pieces):
                splits.append("".join(piece[0].joined() for piece in pieces))
        return [self.joined(), *sorted(splits, key=len)]


def _groups(atoms: list[Term]) -> list[_Group]:
    """Chain number atoms into groups the way callers say them."""
    groups: list[_Group] = []
    for kind, value in atoms:
        if kind == "mult":
            split = groups[-1].scale(value) if groups else _Group.alone(value)
            if split:
                groups.append(split)
        elif kind == "arabic":
            groups.append(_Group.of(int(value), 1, value))
        elif kind == "digit" or not (groups and groups[-1].join(value)):
            # A repeated or counted digit stands alone ("twenty double five" is 2055); a half
            # joins nothing and takes only a multiplier.
            room = 1 if kind == "digit" else _room(value) if value == int(value) else 0
            groups.append(_Group.of(value, room))
    return groups


def _spelled(terms: list[Term]) -> list[str]:
    """Every digit string the terms may mean, the joined one first; [] when they hold no number."""
    atoms = _atoms(terms)
    if not atoms:
        return []
    try:
        spelled = [group.spellings() for group in _groups(atoms)]
    except ValueError:
        return []
    return list(islice(("".join(choice) for choice in product(*spelled)), MAX_READINGS))


def _unsaid(terms: list[Term]) -> list[Term] | None:
    """The terms without a first "oh" said right before a number: a hesitation, or a zero."""
    lead = next((i for i, (kind, _) in enumerate(terms) if kind != "filler"), None)
    if lead is None or terms[lead][0] != "hesitant" or lead + 1 == len(terms):
        return None
    return (
        terms[:lead] + terms[lead + 1 :]
        if terms[lead + 1][0] in ("num", "arabic", "repeat", "hesitant")
        else None
    )


def _hundreds(terms: list[Term]) -> list[Term] | None:
    """The terms with «двести ноль семь» as 207, the zero holding a bare hundred's tens; None when
    no zero does. Read one by one, the words are 200, 0, 7: a display read in triples."""
    out, i = [], 0
    while i < len(terms):
        hundred, zero, unit = (terms[i : i + 3] + [("", None)] * 3)[:3]
        if (
            hundred[0] == "num" and hundred[1] in range(100, 1000, 100)
            and zero == ("num", 0) and unit[0] == "num" and unit[1] in range(1, 10)
        ):  # fmt: skip
            out.append(("arabic", str(hundred[1] + unit[1])))
            i += 3
        else:
            out.append(terms[i])
            i += 1
    return out if len(out) < len(terms) else None


def readings(text: str, locale: str) -> tuple[str, ...]:
    """Every digit string a transcript may mean, the joined one first; () when it holds no number.

    A first "oh" right before a number is a zero ("oh seven" = 07) or the caller thinking aloud
    (7): both are listed, and the meter's display decides between them. «двести ноль семь» is
    20007 or 207 (a hundred, then the tens' zero and the unit): both are listed too.
    """
    terms = _terms(text, locale)
    if terms is None:
        return ()
    hesitant = _unsaid(terms)
    hundreds = _hundreds(terms)
    found = (
        _spelled(terms) + (_spelled(hesitant) if hesitant else []) + (_spelled(hundreds) if hundreds else [])
    )
    return tuple(dict.fromkeys(found))[:MAX_READINGS]
