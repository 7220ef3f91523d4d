"""Tests for nlp.pii: what is redacted, and what must be left alone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.pii import find_pii, redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # emails
        ("Mail jane.doe@acme.co.uk today", "Mail <EMAIL> today"),
        ("reach me at j_smith+sales@sub.example.com.", "reach me at <EMAIL>."),
        # phones, international
        ("call +44 20 7946 0958 now", "call <PHONE> now"),
        ("+1 415 555 0100", "<PHONE>"),
        ("+1-415-555-0100", "<PHONE>"),
        ("+14155550100", "<PHONE>"),
        ("+44 (0)20 7946 0958", "<PHONE>"),
        ("+33 1 23 45 67 89", "<PHONE>"),
        ("+49 30 1234567", "<PHONE>"),
        # phones, North American
        ("(415) 555-0100", "<PHONE>"),
        ("415-555-0100", "<PHONE>"),
        ("ring 415.555.0100.", "ring <PHONE>."),
        ("1-800-555-0100", "<PHONE>"),
        # phones, national with trunk 0
        ("020 7946 0958", "<PHONE>"),
        ("07700 900123", "<PHONE>"),
        # payment cards that pass Luhn
        ("card 4111 1111 1111 1111 exp", "card <CARD> exp"),
        ("4111-1111-1111-1111", "<CARD>"),
        ("5500005555555559", "<CARD>"),
        ("amex 3782 822463 10005", "amex <CARD>"),
        # IBANs that pass mod-97
        ("IBAN GB82 WEST 1234 5698 7654 32 please", "IBAN <IBAN> please"),
        ("DE89370400440532013000", "<IBAN>"),
        # US SSN
        ("ssn 123-45-6789", "ssn <SSN>"),
        # several kinds in one text
        ("jane@acme.com / +44 20 7946 0958", "<EMAIL> / <PHONE>"),
    ],
)
def test_redact_text_replaces_pii(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "We meet at 10:30 on 2024-03-05",  # time and ISO date
        "Renewal on 03/05/2024 or 12-05-2024",  # slashed and dashed dates
        "Budget is $1,500,000 or EUR 1.500.000",  # money
        "They paid 1,234.56 last year",  # decimals with thousands separator
        "42 seats, 500 users, 2024",  # small numbers, a year
        "between 10-20 people, fiscal 2023-2024",  # ranges
        "version v1.2.3 on 192.168.1.1",  # versions and IPs
        "order 12345678 and ticket 4155550100",  # bare ids without phone formatting
        "1234567812345678",  # 16 digits failing Luhn
        "0000 0000 0000 0000",  # all zeros pass Luhn but are no card
        "GB82 WEST 1234 5698 7654 33",  # IBAN failing mod-97
        "000-12-3456 and 666-12-3456",  # invalid SSN areas
        "Email me @ noon",  # an '@' that is no email
        "+20 employees joined",  # a '+count' is no phone
        "",  # empty
    ],
)
def test_redact_text_leaves_non_pii_alone(text: str) -> None:
    assert redact_text(text) == text


def test_find_pii_returns_sorted_non_overlapping_spans() -> None:
    text = "Phone +1 415 555 0100, mail a@b.io, card 4111111111111111"
    spans = find_pii(text)
    assert [kind for kind, _, _ in spans] == ["PHONE", "EMAIL", "CARD"]
    assert [text[s:e] for _, s, e in spans] == ["+1 415 555 0100", "a@b.io", "4111111111111111"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_find_pii_spans_are_valid_and_disjoint(text: str) -> None:
    spans = find_pii(text)
    last_end = 0
    for kind, start, end in spans:
        assert kind in {"EMAIL", "PHONE", "CARD", "IBAN", "SSN"}
        assert last_end <= start < end <= len(text)
        last_end = end
    if not spans:
        assert redact_text(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="@"),
               max_size=200))
def test_redact_text_without_digits_or_at_is_identity(text: str) -> None:
    assert redact_text(text) == text


# --- names (spaCy NER) -----------------------------------------------------------


@pytest.fixture(scope="module")
def name_model():
    from nlp.pii import load_name_model

    loaded = load_name_model()
    if loaded is None:
        pytest.skip("no spaCy NER model installed")
    nlp, model_id = loaded
    assert nlp.pipe_names == ["ner"] and "@" in model_id  # the NER component only
    return nlp


@pytest.mark.parametrize(
    ("text", "keep", "expected"),
    [
        # another person's full name goes
        ("Ask Sarah Connor about it.", ["Jane Doe"], "Ask <PERSON> about it."),
        # a speaker's first name stays, even with a greeting glued on by the model
        ("Hey Jane, good to see you again.", ["Jane Doe"], "Hey Jane, good to see you again."),
        # a known first name with an unknown surname is someone else
        ("I spoke with Jane Smith yesterday.", ["Jane Doe"], "I spoke with <PERSON> yesterday."),
        # lower-case text is not run through the model
        ("jane smith said hi", [], "jane smith said hi"),
        # placeholders are never names
        ("Mail <EMAIL> today", [], "Mail <EMAIL> today"),
    ],
)
def test_redact_names_replaces_other_people_only(name_model, text, keep, expected) -> None:
    from nlp.pii import redact_names

    assert redact_names([text], name_model, [keep]) == [expected]


def test_redact_names_long_text_is_split_into_pieces(name_model) -> None:
    from nlp.pii import redact_names

    text = ("We talked about invoices. " * 4000) + "Ask Sarah Connor about it."
    (out,) = redact_names([text], name_model)
    assert len(text) > 100_000 and out.endswith("Ask <PERSON> about it.")


def test_redact_documents_keeps_speakers_and_redacts_their_emails(name_model) -> None:
    from datetime import datetime

    from nlp.pii import redact_documents
    from nlp.records import Document, Role, Source, Turn

    doc = Document(doc_id="c1", source=Source.CALL, created_at=datetime(2026, 10, 1), path="c1.vtt",
                   author="Priya Raman", turns=(
                       Turn("Priya Raman", Role.REP, "Thanks Olivia, I will call +44 20 7946 0958."),
                       Turn("olivia@contoso.example", Role.CUSTOMER, "Loop in Gregory Halvorsen please."),
                   ))
    (out,) = redact_documents([doc], nlp=name_model)
    assert [t.speaker for t in out.turns] == ["Priya Raman", "<EMAIL>"]
    assert out.turns[0].text == "Thanks Olivia, I will call <PHONE>."  # "Olivia" is her own speaker name
    assert out.turns[1].text == "Loop in <PERSON> please."
    (plain,) = redact_documents([doc], patterns=False)
    assert plain == doc


@pytest.mark.parametrize("text, expected", [
    ("hello my name is mohan", "hello my name is <PERSON>"),  # lower case: the NER model sees no name
    ("my name is john smith and i need a boarding pass", "my name is <PERSON> and i need a boarding pass"),
    ("Hi, my name is Priya.", "Hi, my name is <PERSON>."),
    ("this is sam speaking", "this is <PERSON> speaking"),
    ("it's raj from acme", "it's <PERSON> from acme"),
    ("My name is Jane Doe", "My name is Jane Doe"),  # the document's own speaker keeps her name
    ("my name is on the account", "my name is on the account"),
    ("my name is spelled wrong on the invoice", "my name is spelled wrong on the invoice"),
    ("this is urgent", "this is urgent"),
    ("this is the one we need", "this is the one we need"),
])
def test_redact_introductions_in_any_case(text, expected) -> None:
    from nlp.pii import redact_introductions

    assert redact_introductions(text, ["Jane Doe"]) == expected


@pytest.mark.parametrize("text, expected", [
    ("maria lopez", "<PERSON>"),  # lower case, as speech-to-text and chat write it
    ("the account is under priya patel", "the account is under <PERSON>"),
    ("john smith from acme", "<PERSON> from acme"),
    ("Mary Ann Jones here", "<PERSON> here"),  # a middle name joins the run
    ("please schedule a meeting with john smith at 1 pm", "please schedule a meeting with <PERSON> at 1 pm"),
    ("call sarah", "call sarah"),  # one given name alone stays
    ("maria, lopez", "maria, lopez"),  # not next to each other
    ("will smith", "will smith"),  # a stop word is never a given name here
    ("best price", "best price"),
    ("does spago in beverly hills take reservations", "does spago in beverly hills take reservations"),
    ("a hotel near chase field", "a hotel near chase field"),  # a place named after someone
    ("why is there a hold on my edward jones account", "why is there a hold on my edward jones account"),
    ("jane doe here", "jane doe here"),  # the document's own speaker keeps her name
])
def test_redact_listed_names_in_any_case(text, expected) -> None:
    from nlp.pii import redact_listed_names

    assert redact_listed_names(text, ["Jane Doe"]) == expected


def test_listed_names_come_from_the_installed_package_without_stop_words() -> None:
    from nlp.pii import listed_names

    given, family = listed_names()
    assert {"maria", "john", "priya"} <= given and {"lopez", "smith", "patel"} <= family
    assert not {"will", "may", "the", "and"} & (given | family)


def test_a_bare_lower_case_name_is_redacted_and_never_themed(name_model) -> None:
    from datetime import datetime

    from nlp.pii import redact_documents
    from nlp.records import Document, Role, Source, Turn
    from nlp.text import load_sentence_splitter, segment_document

    doc = Document(doc_id="c2", source=Source.CALL, created_at=datetime(2026, 10, 1), path="c2.txt", turns=(
        Turn("Riley Rep", Role.REP, "Can you confirm the name on the account?", 0.0, 4.0),
        Turn("Pat Customer", Role.CUSTOMER, "its under maria lopez", 4.0, 7.0),
        Turn("Riley Rep", Role.REP, "Thanks, and what can we help with?", 7.0, 10.0),
        Turn("Pat Customer", Role.CUSTOMER, "we need single sign on with okta for the whole team", 10.0, 15.0),
    ))
    (out,) = redact_documents([doc], nlp=name_model)
    assert out.turns[1].text == "its under <PERSON>"
    segments = [s for s in segment_document(out, load_sentence_splitter()) if s.speaker_role == Role.CUSTOMER]
    assert [s.themeable for s in segments] == [False, True]
