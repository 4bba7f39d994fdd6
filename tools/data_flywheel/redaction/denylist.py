"""The user's deny-list as one matcher: every literal in one trie pattern, so cost does not grow with the list.

A deny-list names clients, people and code names; teams keep thousands of
them. One pattern (or one keyword search) per entry makes every text cost
as many searches as there are entries. Here all literals share one
case-insensitive pattern shaped as a trie (``acme(?: corp)?|bluebird``):
``re`` skips positions whose character starts no entry, and at a position
follows one path, so a search costs about the same for 10 entries or 10,000.
Longer entries are tried first at each branch, so ``Acme Corp`` wins over
``Acme``. The whole-word rule (an entry that starts or ends with a letter
or digit matches only as a whole word) is a look-ahead after each entry's
last character, and a check in Python of the character before the match,
which also accepts a JSON escape such as ``\\n`` as a boundary.
Regex entries run one pattern each, as written.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

KIND = "custom"
PRIORITY = 4
_NOT_ALNUM_NEXT = "(?![^\\W_])"  # the next character is not a letter or digit (underscore counts as a boundary)


def rule_id(entry: Any) -> str:
    return f"deny-list-{entry.index}"


class DenyMatcher:
    """Spans of the deny-list in a text: ``(start, end, order, rule id, label)``.

    ``order`` is the entry's position, so of two overlapping entries the
    earlier one names the merged span, as before.
    """

    def __init__(self, entries: Iterable[Any]) -> None:
        self._by_text: Dict[str, Tuple[int, str, str, bool]] = {}
        self._patterns: List[Tuple[int, str, str, "re.Pattern[str]"]] = []
        literals: List[Tuple[str, bool]] = []
        for order, entry in enumerate(entries):
            if entry.literal is None:
                self._patterns.append((order, rule_id(entry), entry.label, entry.pattern))
                continue
            key = entry.literal.lower()
            if key not in self._by_text:  # the same text twice: the first entry names it
                self._by_text[key] = (order, rule_id(entry), entry.label, entry.literal[0].isalnum())
                literals.append((key, entry.literal[-1].isalnum()))
        self._trie: Optional["re.Pattern[str]"] = re.compile(_trie_pattern(literals), re.IGNORECASE) if literals else None

    def __bool__(self) -> bool:
        return self._trie is not None or bool(self._patterns)

    def spans(self, text: str) -> Iterator[Tuple[int, int, int, str, str]]:
        trie = self._trie
        if trie is not None:
            search = trie.search
            position = 0
            while True:
                match = search(text, position)
                if match is None:
                    break
                start, end = match.span()
                found = self._by_text.get(match.group().lower())
                if found is None:  # a case fold that lower() spells differently (rare): find it by comparison
                    found = next(value for key, value in self._by_text.items()
                                 if len(key) == end - start and re.fullmatch(re.escape(key), match.group(), re.IGNORECASE))
                order, rule, label, whole_word = found
                if whole_word and start > 0 and text[start - 1].isalnum() and not _after_escape(text, start):
                    position = start + 1  # inside a word: another entry may still start further on
                    continue
                yield start, end, order, rule, label
                position = end
        for order, rule, label, pattern in self._patterns:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield match.start(), match.end(), order, rule, label


def _after_escape(text: str, start: int) -> bool:
    """Whether ``start`` follows an escape such as ``\\n`` in a JSON string: a boundary, not a letter."""
    return start >= 2 and text[start - 1] in "ntr" and text[start - 2] == "\\"


def _trie_pattern(literals: List[Tuple[str, bool]]) -> str:
    """One pattern matching every literal; ``right_boundary`` adds the whole-word look-ahead after it.

    Built without recursion (a deny literal may be long): chains of single
    children are written as one run of characters.
    """
    END = ""  # marks where a literal ends; characters are never empty
    root: Dict[str, Any] = {}
    for text, right_boundary in literals:
        node = root
        for char in text:
            node = node.setdefault(char, {})
        node[END] = node.get(END, False) or right_boundary
    # Post-order without recursion: each node's pattern is built after its children's.
    built: Dict[int, str] = {}
    stack: List[Tuple[Dict[str, Any], bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for key, child in node.items() if key != END)
            continue
        alternatives = [re.escape(key) + built.pop(id(child)) for key, child in sorted(node.items()) if key != END]
        if END in node:  # the literal that ends here: tried after the longer ones
            alternatives.append(_NOT_ALNUM_NEXT if node[END] else "")
        if len(alternatives) == 1:
            built[id(node)] = alternatives[0]
        elif alternatives[-1] == "" and len(alternatives) == 2:
            built[id(node)] = f"(?:{alternatives[0]})?"
        else:
            built[id(node)] = "(?:" + "|".join(alternatives) + ")"
    return built[id(root)]
