"""The form prompt filters compare text in, so invisible characters and look-alikes never let
a forbidden word through.

Both a rule and a text go through the same steps:

1. Default-ignorable code points are removed (Unicode's `Default_Ignorable_Code_Point`: zero-
   width space and joiners, word joiner, soft hyphen, variation selectors, the byte-order
   mark, bidirectional controls, tag characters...). They draw nothing, so `fo\\u200bx` reads
   as `fox` to a person and must to the filter. Python's `unicodedata` has no such property,
   so the ranges are kept here, copied from Unicode's DerivedCoreProperties.txt.
2. NFKC and case folding: full-width, styled and differently-cased letters are one letter.
   NFKC composes, so Hangul syllables stay syllables (never split into jamo): `고양이` still
   matches inside `고양이가`.
3. Look-alikes are folded to one prototype (Unicode TR39's confusable mapping), so a Cyrillic
   `о` in `fox` reads as the Latin `o`. The mapping comes from `confusable-homoglyphs`, which
   ships Unicode's confusables.txt as data; its prototypes may be upper case (`0` -> `O`), so
   the result is case-folded once more.

Plain words are compared in the folded form (step 3) on both sides. A regular expression's
syntax cannot be folded (its `\\d` or `{1,3}` hold ASCII letters and digits, and ASCII folds
too: `m` reads as `rn`), so for patterns step 3 folds only non-ASCII characters (in a pattern
always literals), on the pattern and on the text alike; a pattern is matched against the text
both as written (steps 1-2) and so folded.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1), first and last.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# The marks confusable-homoglyphs wraps around right-to-left characters for display.
_DISPLAY_MARK = "\u200e"


@lru_cache(maxsize=1)
def _ignorables() -> dict[int, None]:
    """A `str.translate` table that deletes every default-ignorable code point."""
    return {code: None for first, last in _IGNORABLE_RANGES for code in range(first, last + 1)}


@lru_cache(maxsize=1)
def _prototypes() -> dict[int, str]:
    """A `str.translate` table from each confusable character to its TR39 prototype.

    The library keeps confusables.txt as a symmetric graph: a source (one line of the file)
    lists only its prototype, a prototype lists every source. When both list only each other,
    the source is the one read first (the file's line names it before its prototype)."""
    data = confusables.confusables_data
    order = {key: index for index, key in enumerate(data)}
    table: dict[int, str] = {}
    for key, entries in data.items():
        source = key.replace(_DISPLAY_MARK, "")
        if len(source) != 1 or len(entries) != 1:
            continue
        target = entries[0]["c"]
        back = data.get(target, [])
        if len(back) == 1 and order.get(target, len(order)) < order[key]:
            continue  # `key` is the prototype of `target`, not the other way round
        table[ord(source)] = target.replace(_DISPLAY_MARK, "")
    return table


def strip_ignorable(value: str) -> str:
    """The text without its default-ignorable (invisible) code points."""
    return value.translate(_ignorables())


def readable(value: str) -> str:
    """Steps 1-2: no invisible characters, NFKC (composed, compatibility forms folded)."""
    return strip_ignorable(unicodedata.normalize("NFKC", strip_ignorable(value)))


def folded(value: str) -> str:
    """Steps 1-3: the form plain words are compared in (look-alikes folded, case-folded)."""
    return readable(value).casefold().translate(_prototypes()).casefold()


def folded_beyond_ascii(value: str) -> str:
    """Steps 1-2, and step 3 for non-ASCII characters only: the form a regular expression is
    compiled in (ASCII is its syntax) and one of the forms of a text it is matched against."""
    table = _prototypes()
    return "".join(ch if ch.isascii() else ch.casefold().translate(table).casefold()
                   for ch in readable(value))
