"""evaluation/notes_eval.py: the notes it writes read as the product reads them, and its scoring."""

from __future__ import annotations


from evaluation.datasets import LabelledTexts
from evaluation.notes_eval import note_themes, score, write_notes
from pipelines.readers.sources import read_sources

DATA = LabelledTexts(
    name="invented/test",
    texts=("my card never came in the post", "how long until the new card arrives",
           "why was I charged twice for one coffee", "there is a double charge on my statement"),
    labels=("card_arrival", "card_arrival", "double_charge", "double_charge"),
)


def test_written_notes_are_read_by_the_products_reader_with_their_accounts(tmp_path):
    notes, gold = write_notes(DATA, tmp_path)
    (result,) = read_sources([notes])
    assert result.quarantined is None
    docs = {d.doc_id: d for d in result.documents}
    assert set(docs) == set(gold) == {"N00000", "N00001", "N00002", "N00003"}
    assert docs["N00002"].turns[0].text == "why was I charged twice for one coffee"
    assert gold["N00002"] == "double_charge"
    assert all(d.account_id.startswith("ACC") for d in docs.values())


def test_a_note_takes_its_first_segments_theme_and_no_theme_is_one_more_label(tmp_path):
    seg = tmp_path / "segments.csv"
    seg.write_text("segment_id,doc_id,theme_id,text\n"
                   "s1,N00000,t1,a\ns2,N00000,t9,b\ns3,N00001,t1,c\ns4,N00002,,d\ns5,N00003,t2,e\n",
                   encoding="utf-8")
    themes = note_themes(seg)
    assert themes == {"N00000": "t1", "N00001": "t1", "N00002": "", "N00003": "t2"}
    gold = {f"N0000{i}": label for i, label in enumerate(DATA.labels)}
    s = score(gold, themes)
    assert s["unthemed_share"] == 0.25 and s["themes"] == 2
    assert 0.0 < s["nmi"] < 1.0  # the unthemed note costs
    assert score(gold, {**themes, "N00002": "t2"})["nmi"] == 1.0
