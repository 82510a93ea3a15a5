import pytest

from matching import PostingError, posting_from_dict, posting_from_text


def test_numeric_id_becomes_string_and_html_is_stripped():
    posting = posting_from_dict({"id": 1017, "title": "MLOps Engineer", "description": "<p>Run &amp; ship</p>"})
    assert posting.id == "1017"
    assert posting.description == "Run & ship"


def test_missing_id_gets_a_stable_content_id():
    a = posting_from_dict({"title": "ML Engineer", "description": "x"})
    b = posting_from_dict({"title": "ML Engineer", "description": "x"})
    c = posting_from_dict({"title": "ML Engineer", "description": "y"})
    assert a.id == b.id != c.id
    assert a.id.startswith("sha256:")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "p1", "description": "x"}, r"posting 'p1': field 'title': missing"),
        (
            {"id": "p2", "title": 7, "description": "x"},
            r"posting 'p2': field 'title': expected a string, got int",
        ),
        ({"id": "p3", "title": "  ", "description": "x"}, r"posting 'p3': field 'title': empty"),
        ({"id": "p4", "title": "t"}, r"posting 'p4': field 'description': missing"),
        ({"id": "p5", "title": "t", "description": "x", "salary": "lots"}, r"posting 'p5': field 'salary'"),
        (
            {"id": "p6", "title": "t", "description": "x", "location": ["SF"]},
            r"field 'location': expected a string",
        ),
        ({"id": [1], "title": "t", "description": "x"}, r"field 'id': expected a string or a number"),
        (
            {"id": "p7", "title": "t", "description": "x" * 200_001},
            r"posting 'p7': field 'description': 200001",
        ),
        ("not an object", r"expected a JSON object, got str"),
    ],
)
def test_bad_postings_name_the_posting_and_field(record, message):
    with pytest.raises(PostingError, match=message):
        posting_from_dict(record)


def test_plain_text_first_line_is_the_title():
    posting = posting_from_text("\nSenior ML Engineer\n\nTrain ranking models.\nPyTorch.")
    assert posting.title == "Senior ML Engineer"
    assert posting.description == "Train ranking models.\nPyTorch."
    with pytest.raises(PostingError, match="first line should be the title"):
        posting_from_text("   \n  ")


def test_content_hash_changes_with_the_description():
    a = posting_from_dict({"id": "a", "title": "t", "description": "one"})
    b = posting_from_dict({"id": "a", "title": "t", "description": "two"})
    assert a.content_hash != b.content_hash


def test_content_hash_tells_fields_apart_and_ignores_what_does_not_decide_the_match():
    base = {"id": "p", "title": "ML Engineer", "description": "PyTorch", "location": "Austin, TX"}
    same = posting_from_dict({**base, "url": "https://elsewhere.example", "company": "Other"})
    assert posting_from_dict(base).content_hash == same.content_hash
    moved = {**base, "title": "ML Engineer PyTorch", "description": ""}  # same text, another field
    assert posting_from_dict(moved).content_hash != posting_from_dict(base).content_hash
    no_place = posting_from_dict({**base, "location": None})
    empty_place = posting_from_dict({**base, "location": ""})
    assert no_place.content_hash != empty_place.content_hash
    paid = posting_from_dict({**base, "salary": {"min": 1, "max": 2}})
    assert paid.content_hash != posting_from_dict(base).content_hash
