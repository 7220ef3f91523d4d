"""Redact personal data from text: emails, phones, cards, IBANs, US SSNs. Pure, regex-only.

Numbers are only redacted when they check out (Luhn for cards, mod-97 for
IBANs) or have a phone's shape, so times, dates, money and small counts pass
through untouched.
"""

from __future__ import annotations

import re

__all__ = ["PII_KINDS", "find_pii", "redact_text"]

PII_KINDS = ("EMAIL", "IBAN", "CARD", "SSN", "PHONE")  # priority order on overlap

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b"
)
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", re.ASCII)
_CARD_RE = re.compile(r"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d]|[.,-]\d)", re.ASCII)
_SSN_RE = re.compile(
    r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])", re.ASCII
)
_PHONE_RES = (
    # International: +CC then groups, optionally a "(0)" trunk prefix or (area).
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\w])", re.ASCII),
    # North American: (415) 555-0100, 415-555-0100, 415.555.0100, 1-800-555-0100.
    re.compile(
        r"(?<![\w(+\-.])(?:1[ .\-])?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?![\w\-]|\.\d)",
        re.ASCII,
    ),
    # National trunk-0 numbers: 020 7946 0958, 07700 900123, 030-1234-5678.
    re.compile(r"(?<![\w\-.,/])0\d{1,4}(?:[ \-]\d{2,7}){1,3}(?![\w\-]|[.,/]\d)", re.ASCII),
)
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s?$|\b(?:USD|EUR|GBP)\s?$")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _candidates(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for match in _EMAIL_RE.finditer(text):
        found.append(("EMAIL", match.start(), match.end()))
    for match in _IBAN_RE.finditer(text):
        if _iban_ok(match.group()):
            found.append(("IBAN", match.start(), match.end()))
    for match in _CARD_RE.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits) and len(set(digits)) > 1:
            found.append(("CARD", match.start(), match.end()))
    for match in _SSN_RE.finditer(text):
        found.append(("SSN", match.start(), match.end()))
    for pattern in _PHONE_RES:
        for match in pattern.finditer(text):
            digits = _digits(match.group())
            if not 8 <= len(digits) <= 15:
                continue
            if not match.group().startswith("+") and len(digits) < 10:
                continue  # national numbers have 10+ digits; shorter is a count or code
            if _CURRENCY_BEFORE.search(text, max(0, match.start() - 5), match.start()):
                continue
            found.append(("PHONE", match.start(), match.end()))
    return found


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """Find personal data in ``text``.

    Args:
        text: any text.

    Returns:
        ``(kind, start, end)`` spans, sorted and non-overlapping; ``kind`` is
        one of ``EMAIL``, ``PHONE``, ``CARD``, ``IBAN``, ``SSN``. On overlap
        the higher-priority kind (in that order: email, IBAN, card, SSN,
        phone), then the longer span, wins.
    """
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        return []
    rank = {kind: index for index, kind in enumerate(PII_KINDS)}
    chosen: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(_candidates(text), key=lambda c: (rank[c[0]], c[1] - c[2])):
        if all(end <= s or start >= e for _, s, e in chosen):
            chosen.append((kind, start, end))
    return sorted(chosen, key=lambda c: c[1])


def redact_text(text: str) -> str:
    """Replace personal data with ``<EMAIL>``, ``<PHONE>``, ``<CARD>``, ``<IBAN>``, ``<SSN>``.

    >>> redact_text("Mail jane@acme.com or call +44 20 7946 0958")
    'Mail <EMAIL> or call <PHONE>'
    """
    spans = find_pii(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for kind, start, end in spans:
        parts.append(text[last:start])
        parts.append(f"<{kind}>")
        last = end
    parts.append(text[last:])
    return "".join(parts)
