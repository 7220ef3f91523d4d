"""Segmentation and small-talk detection: documents in, segments out."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from nlp.records import Document, Role, Segment, Source, Turn

__all__ = [
    "SentenceSplitter",
    "load_sentence_splitter",
    "segment_document",
    "is_small_talk",
    "content_words",
]

SentenceSplitter = Callable[[str], list[str]]

# Words that carry no customer need: fillers, greetings, meeting logistics.
_FILLER = frozenset(
    """
    ok okay yeah yes yep yup no nope sure right great good cool perfect awesome
    thanks thank you hi hello hey bye goodbye morning afternoon evening everyone
    all folks guys um uh uhm hmm mm mhm ah oh wow nice lovely absolutely exactly
    totally definitely cheers welcome sorry pardon hear mute unmute muted screen
    share sharing see can could would will just really pretty well so then now
    weekend weather rain raining sunny cold hot week monday friday today tomorrow
    yesterday coffee lunch kids holiday vacation trip traffic busy crazy fine
    doing how what going on back let me get started start minute minutes second
    seconds call meeting join joined joining audio video camera connection lag
    frozen echo loud clear talk soon later again appreciate time bit little
    talking chat haha ha lol hmm huh alright anyway anyways glad happy sounds
    tuesday wednesday thursday saturday sunday tonight noise background mic
    microphone slide slides sec moment touch correct helpful funny agree late
    hectic kids family school speak slide o'clock eastern pacific central
    hang bear dropped breaking camera interesting fair busy joining notes raining""".split()
)

# Spoken numbers and what they count: a number alone carries no need.
_NUMBER_WORDS = frozenset(
    """
    zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred hundreds thousand thousands million millions billion couple dozen half
    quarter first second third fourth fifth sixth seventh eighth ninth tenth th st nd rd
    percent per cent dollars dollar bucks cents euros pounds grand""".split()
)

# A contraction of a stop word ("that's", "isn't", "i'll") is a stop word.
_CONTRACTION = re.compile(r"(?:'s|n't|'re|'ve|'ll|'d|'m)$")

_SMALL_TALK_PATTERNS = re.compile(
    r"\b(can you (all )?(hear|see) me|you'?re on mute|on mute|how was your (weekend|week|trip|holiday)|"
    r"how are (you|things)|nice to (meet|see) you|good to (meet|see) you|"
    r"thanks (for|everyone)|talk (to you )?soon|have a (good|great|nice)|"
    r"let'?s (get started|wait)|give (it|people) a (minute|second)|"
    r"(weather|traffic) (is|was|has been)|makes sense|good (question|point)|fair enough|"
    r"bear with me|hang on|works for me|keep in touch|be in touch|breaking up|got back from|"
    r"we went to|hard stop|put a face|(sorry|apologies) (i'?m|for being) late|"
    r"(i'?m|we'?re) (good|great|fine|doing well)|how about you|"
    r"(this is|i'?m|it'?s) [A-Z][a-z]+( [A-Z][a-z]+)? (from|at|with|here))\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
# What redaction (nlp/pii.py) leaves for an email, phone, name...: not content.
_PLACEHOLDER = re.compile(r"<[A-Z]+>")


def _stop_words() -> frozenset[str]:
    from nlp.spacy_import import import_spacy

    import_spacy()
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


_STOP: frozenset[str] | None = None


def content_words(text: str) -> list[str]:
    """The words of a text that are neither stop words nor conversational filler."""
    global _STOP
    if _STOP is None:
        _STOP = _stop_words()
    out = []
    for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)):
        lw = w.lower().strip("'-")
        if len(lw) < 2 or lw in _STOP or lw in _FILLER or lw in _NUMBER_WORDS:
            continue
        base = _CONTRACTION.sub("", lw)
        if base != lw and (base in _STOP or base in _FILLER or base in ("ca", "wo")):  # can't, won't
            continue
        out.append(lw)
    return out


def is_small_talk(text: str, *, min_content_words: int = 2) -> bool:
    """True for greetings, thanks, "okay", bare names and numbers, logistics.

    A text is small talk when it has fewer than ``min_content_words`` content
    words, or when it is short and matches a small-talk phrase. Spoken turns
    take their bar from :func:`segment_document`; acknowledgements such as
    "makes sense", "good question" are caught by the phrase list.
    """
    words = content_words(text)
    if len(words) < min_content_words:
        return True
    lowered = [w for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if w[0].islower()]
    if len(words) <= 3 and not any(w.lower() in words for w in lowered):
        return True  # bare names: only capitalised words carry content
    return len(words) < 3 * min_content_words and bool(_SMALL_TALK_PATTERNS.search(text))


def load_sentence_splitter() -> SentenceSplitter:
    """A fast rule-based sentence splitter (spaCy's blank English + sentencizer)."""
    from nlp.spacy_import import import_spacy

    spacy = import_spacy()

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    def split(text: str) -> list[str]:
        return [s.text.strip() for s in nlp(text).sents if s.text.strip()]

    return split


def _chunk_sentences(sentences: Sequence[str], max_chars: int) -> list[str]:
    chunks: list[str] = []
    cur = ""
    for sent in sentences:
        if cur and len(cur) + 1 + len(sent) > max_chars:
            chunks.append(cur)
            cur = sent
        else:
            cur = f"{cur} {sent}" if cur else sent
    if cur:
        chunks.append(cur)
    return chunks


def _merge_short_turns(turns: Sequence[Turn], min_chars: int) -> list[Turn]:
    """Merge a speaker's consecutive turns, and short turns into the same speaker's next one."""
    merged: list[Turn] = []
    for t in turns:
        text = " ".join(t.text.split())
        if not text:
            continue
        if merged and merged[-1].speaker == t.speaker and merged[-1].role == t.role and (
            len(merged[-1].text) < min_chars or len(text) < min_chars
        ):
            prev = merged[-1]
            merged[-1] = Turn(prev.speaker, prev.role, f"{prev.text} {text}", prev.start_s,
                              t.end_s if t.end_s is not None else prev.end_s)
        else:
            merged.append(Turn(t.speaker, t.role, text, t.start_s, t.end_s))
    return merged


def segment_document(
    doc: Document,
    split_sentences: SentenceSplitter,
    *,
    max_chars: int = 400,
    min_turn_chars: int = 40,
    note_max_chars: int = 600,
    min_spoken_content_words: int = 2,
) -> list[Segment]:
    """Split one document into segments, in order.

    Calls: a speaker's consecutive short turns are merged; a turn longer than
    ``max_chars`` is split at sentence boundaries, with time offsets
    interpolated by character position. Notes: split only when longer than
    ``note_max_chars``. Segment ids are ``<doc_id>#<n>`` (1-based). A call
    passage with fewer than ``min_spoken_content_words`` content words is
    small talk; a note needs two.
    """
    out: list[Segment] = []
    if doc.source == Source.CALL:
        turns = _merge_short_turns(doc.turns, min_turn_chars)
        limit = max_chars
    else:
        turns = [Turn(t.speaker, t.role, " ".join(t.text.split()), t.start_s, t.end_s) for t in doc.turns]
        limit = note_max_chars
    for turn in turns:
        if not turn.text:
            continue
        pieces = [turn.text] if len(turn.text) <= limit else _chunk_sentences(split_sentences(turn.text), limit)
        total = sum(len(p) for p in pieces) or 1
        done = 0
        for piece in pieces:
            start = end = None
            if turn.start_s is not None and turn.end_s is not None:
                span = turn.end_s - turn.start_s
                start = round(turn.start_s + span * done / total, 3)
                end = round(turn.start_s + span * (done + len(piece)) / total, 3)
            elif turn.start_s is not None:
                start = turn.start_s
            done += len(piece)
            role = turn.role if doc.source == Source.CALL else Role.UNKNOWN
            out.append(
                Segment(
                    segment_id=f"{doc.doc_id}#{len(out) + 1}",
                    doc_id=doc.doc_id,
                    source=doc.source,
                    speaker=turn.speaker,
                    speaker_role=role,
                    created_at=doc.created_at,
                    text=piece,
                    start_s=start,
                    end_s=end,
                    small_talk=is_small_talk(
                        piece, min_content_words=min_spoken_content_words if doc.source == Source.CALL else 2
                    ),
                    account_id=doc.account_id,
                    account_name=doc.account_name,
                    outcome=doc.outcome,
                )
            )
    return out
