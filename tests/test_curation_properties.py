"""Property-based tests of curation: malformed records and JSONL lines never crash the public
load path, a bad record never costs its neighbours, every good record in a dirty file is kept,
and the fast encoder and the token cut are exact for any text (real Llama 3 tokenizer)."""

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.config import MAX_TOKENS, MIN_TOKENS
from helpers.items import Item, curate, curate_batch
from helpers.loaders import curate_file
from helpers.records import UNREADABLE, Rejection
from helpers.token_budget import token_budget
from standins.catalog import generate_records

FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# ---- strategies --------------------------------------------------------------------------------

lone_surrogates = st.sampled_from(["\ud800", "x\udfffy", "\udbff\udbff"])
texts = st.text(max_size=40) | lone_surrogates | st.sampled_from(["None", "$1,299.00", "1.299,99"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.just(10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | texts
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "title": texts | values,
        "price": scalars | values,
        "description": values,
        "features": values,
        "details": values | st.builds(json.dumps, st.dictionaries(st.text(max_size=8), scalars)),
        "images": values,
    },
)
malformed = records | values  # a record, or something that is not a record at all


@pytest.fixture(scope="module")
def good_records(llama_tokenizer):
    """Catalog records that curate into Items on their own, with the Items they give."""
    pool = [r for c in ("Automotive", "Toys_and_Games") for r in generate_records(c, 40, seed=8)]
    results = curate_batch(pool, llama_tokenizer, "Automotive")
    return [(r, item) for r, item in zip(pool, results, strict=True) if isinstance(item, Item)]


# ---- records ------------------------------------------------------------------------------------


@FAST
@given(bad=st.lists(malformed, min_size=1, max_size=6), seed=st.integers(0, 10**6))
def test_a_bad_record_never_costs_its_neighbours(llama_tokenizer, good_records, bad, seed):
    rng = random.Random(seed)
    good = rng.sample(good_records, 3)
    batch = [good[0][0], *bad[:3], good[1][0], *bad[3:], good[2][0]]
    results = curate_batch(batch, llama_tokenizer, "Automotive")
    assert len(results) == len(batch)
    assert all(isinstance(r, (Item, Rejection)) for r in results)
    kept = [r for r in results if isinstance(r, Item)]
    assert [item for _, item in good] == [k for k in kept if k.title in {g.title for _, g in good}]
    for item in kept:
        assert 0.5 <= item.price <= 999.49
        assert item.text.encode("utf-8")  # no lone surrogates left
        assert len(llama_tokenizer.encode(item.text, add_special_tokens=False)) == item.token_count


@FAST
@given(record=malformed)
def test_any_record_is_an_item_or_a_named_rejection(llama_tokenizer, record):
    result = curate(record, llama_tokenizer)
    assert isinstance(result, Item) or (isinstance(result, Rejection) and result.reason)


# ---- files --------------------------------------------------------------------------------------


def _bad_lines(good_line: bytes):
    """Lines that cannot be read as a JSON object."""
    return st.one_of(
        st.integers(1, len(good_line) - 1).map(lambda cut: good_line[:cut]),  # truncated
        st.text(st.characters(codec="utf-8"), min_size=1).map(lambda t: ("Note: " + t).encode()),
        st.binary(min_size=1, max_size=30).map(lambda b: b'{"title": "\xff' + b + b'"}'),
        st.sampled_from([b"[1, 2]", b"42", b"null", b'"text"', b"{", b"}", b"\xc3\x28"]),
    )


@FAST
@given(data=st.data())
def test_any_dirty_file_keeps_every_good_record(
    tmp_path_factory, llama_tokenizer, good_records, data
):
    good = data.draw(st.lists(st.sampled_from(good_records), min_size=1, max_size=8))
    lines, unreadable, junk_records = [], 0, 0
    for record, _ in good:
        good_line = json.dumps(record).encode()
        for kind in data.draw(st.lists(st.sampled_from(["bad", "junk", "blank"]), max_size=3)):
            if kind == "bad":
                line = data.draw(_bad_lines(good_line))
                if line.strip():
                    lines.append(line.replace(b"\n", b" "))
                    unreadable += 1
            elif kind == "junk":  # readable JSON, but a record curation refuses
                lines.append(json.dumps(data.draw(records)).encode())
                junk_records += 1
            else:
                lines.append(b"  ")
        lines.append(good_line)
    path = tmp_path_factory.mktemp("dirty") / "meta.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    items, report = curate_file(path, llama_tokenizer, "Automotive", workers=1, progress=False)

    good_items = [item for _, item in good]
    assert [i for i in items if i in good_items] == good_items  # all of them, in file order
    assert len(items) - len(good_items) <= junk_records
    assert report.read == len(good) + unreadable + junk_records
    assert report.rejected[UNREADABLE] == unreadable
    assert report.kept == len(items)


# ---- the encoder and the cut ---------------------------------------------------------------------

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 ,.;:!?'\"()-/$%&*+=_"
    "\n\t  éüßçñÅØ 日本語中文한국어 😀👍🏽🚀 ́ ‎ ­ …—–“”‘’ "
)


def test_the_fast_encoder_gives_identical_tokens_on_thousands_of_texts(llama_tokenizer):
    budget = token_budget(llama_tokenizer)
    assert budget.engine == "tiktoken"
    from helpers.records import parse_record

    catalog = [
        parse_record(r).text
        for c in ("Electronics", "Office_Products", "Cell_Phones_and_Accessories")
        for r in generate_records(c, 400, seed=6)
        if not isinstance(parse_record(r), Rejection)
    ]
    rng = random.Random(12)
    noise = ["".join(rng.choices(ALPHABET, k=rng.randint(1, 300))) for _ in range(2_000)]
    runs = [c * n for c in " -=.\n0a😀" for n in range(1, 70)]
    corpus = catalog + noise + runs
    assert len(corpus) > 3_000
    expected = [
        e.ids
        for e in llama_tokenizer.backend_tokenizer.encode_batch(corpus, add_special_tokens=False)
    ]
    assert [budget.encoding.encode_ordinary(t) for t in corpus] == expected


@FAST
@given(text=st.text(st.sampled_from(ALPHABET), max_size=400))
def test_the_fast_encoder_matches_the_tokenizer_on_any_text(llama_tokenizer, text):
    budget = token_budget(llama_tokenizer)
    expected = llama_tokenizer.backend_tokenizer.encode(text, add_special_tokens=False).ids
    assert budget.encoding.encode_ordinary(text) == expected


words = st.text(
    st.sampled_from(ALPHABET.replace(" ", "").replace("\n", "")), min_size=1, max_size=14
)


@FAST
@given(
    parts=st.lists(
        st.tuples(words, st.sampled_from([" ", " ", " ", "\n", ", ", "  "])),
        min_size=60,
        max_size=400,
    )
)
def test_the_cut_is_exact_for_any_text(llama_tokenizer, parts):
    text = "".join(w + sep for w, sep in parts).strip()
    fitted = token_budget(llama_tokenizer).fit([text])[0]
    if isinstance(fitted, Rejection):
        return
    kept, count = fitted
    assert text.startswith(kept) and kept == kept.strip()
    assert MIN_TOKENS < count <= MAX_TOKENS
    assert len(llama_tokenizer.encode(kept, add_special_tokens=False)) == count
