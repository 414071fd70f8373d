"""Loading a category: a raw JSONL file on disk -> exactly the Items curate_batch gives, in file
order, on one process or several, with unreadable lines counted and skipped."""

import json

import pytest

from helpers.items import Item, curate_batch
from helpers.loaders import (
    RAW_COLUMNS,
    CurationReport,
    curate_file,
    load_category,
    parse_line,
    read_raw,
    spans,
)
from helpers.records import BAD_PRICE, MALFORMED, NO_PRICE, UNREADABLE, Rejection
from standins.catalog import generate_records


def write_jsonl(path, records):
    with open(path, "w") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return str(path)


def test_curate_file_matches_curate_batch_and_counts_rejections(tmp_path, llama_tokenizer):
    records = generate_records("Toys_and_Games", 600, seed=5)
    records[3] = {**records[3], "title": 12345}  # a malformed record in the middle of the file
    records[7] = {**records[7], "price": None}
    source = write_jsonl(tmp_path / "meta_Toys_and_Games.jsonl", records)

    items, report = curate_file(
        source, llama_tokenizer, "Toys_and_Games", workers=2, chunk_bytes=100_000, progress=False
    )

    expected = curate_batch(records, llama_tokenizer, "Toys_and_Games")
    assert items == [r for r in expected if isinstance(r, Item)]
    reasons = [r.reason for r in expected if isinstance(r, Rejection)]
    assert report.read == 600
    assert report.kept == len(items) > 450
    assert sum(report.rejected.values()) == len(reasons)
    assert report.rejected[MALFORMED] >= 1 and report.rejected[NO_PRICE] >= 1
    assert "read 600" in str(report) and "malformed record" in str(report)


def test_one_process_and_two_agree(tmp_path, llama_tokenizer):
    source = write_jsonl(tmp_path / "meta.jsonl", generate_records("Electronics", 400, seed=9))
    one, first = curate_file(source, llama_tokenizer, "Electronics", workers=1, progress=False)
    two, second = curate_file(
        source, llama_tokenizer, "Electronics", workers=2, chunk_bytes=50_000, progress=False
    )
    assert one == two and len(one) > 300
    assert (first.read, first.rejected) == (second.read, second.rejected)


def test_unreadable_lines_are_counted_and_the_rest_is_read(tmp_path, llama_tokenizer):
    good = [r for r in generate_records("Appliances", 40, seed=3)]
    kept = [
        r.title for r in curate_batch(good, llama_tokenizer, "Appliances") if isinstance(r, Item)
    ]
    lines = [json.dumps(r).encode() for r in good]
    bad = [
        lines[0][: len(lines[0]) // 2],  # truncated JSON
        b"Oops, this line is plain text",
        b'{"title": "caf\xe9", "price": 5}',  # invalid UTF-8 (latin-1 bytes)
        b"[1, 2, 3]",  # JSON, but not an object
        b"null",
    ]
    rescued = [  # orjson refuses these; the json module reads them and curation judges them
        b'{"title": "Lamp", "price": 1e400}',
        b'{"title": "Lamp", "price": NaN}',
    ]
    mixed = []
    for k, line in enumerate(lines):
        mixed.append(line)
        if k < len(bad):
            mixed.append(bad[k])
        if k < len(rescued):
            mixed.append(rescued[k])
        if k % 7 == 0:
            mixed.append(b"   ")  # blank lines are not records
    path = tmp_path / "dirty.jsonl"
    path.write_bytes(b"\n".join(mixed) + b"\n")

    for workers in (1, 2):
        items, report = curate_file(
            path, llama_tokenizer, "Appliances", workers=workers, chunk_bytes=4_000, progress=False
        )
        assert [i.title for i in items] == kept
        assert report.read == len(lines) + len(bad) + len(rescued)
        assert report.rejected[UNREADABLE] == len(bad)
        assert report.rejected[BAD_PRICE] >= len(rescued)
        assert "e.g. byte" in str(report)  # where the first unreadable line was


def test_a_new_key_and_a_string_price_after_10_mb(tmp_path, llama_tokenizer):
    """datasets infers a schema from the start of a file: a key or a type first seen after
    10 MB used to abort the whole category. Every line is read on its own now."""
    base = generate_records("Electronics", 300, seed=4)
    for record in base:
        record["price"] = 19.99  # the first 10 MB: numbers only, and no "warranty" key
    block = "".join(json.dumps(r) + "\n" for r in base).encode()
    copies = 10_000_000 // len(block) + 1
    fine = next(r for r in base if isinstance(curate_batch([r], llama_tokenizer)[0], Item))
    late = {**fine, "title": "Late, with a text price", "price": "$129.99", "warranty": {"y": 2}}
    late["details"] = {**late["details"], "Warranty": "2 years", "Weight Class": 3}
    later = {**fine, "title": "Later still", "price": "None"}
    path = tmp_path / "meta_big.jsonl"
    with open(path, "wb") as out:
        for _ in range(copies):
            out.write(block)
        assert out.tell() > 10_000_000
        out.write((json.dumps(late) + "\n" + json.dumps(later) + "\n").encode())

    items, report = curate_file(path, llama_tokenizer, "Electronics", workers=1, progress=False)

    assert report.read == copies * len(base) + 2
    assert (items[-1].title, items[-1].price) == ("Late, with a text price", 129.99)
    assert report.rejected[NO_PRICE] == 1  # "Later still", read as a missing price
    assert all(type(i.price) is float for i in items)


def test_read_raw_gives_the_curation_columns_and_a_report(tmp_path):
    records = generate_records("Musical_Instruments", 5, seed=1)
    path = tmp_path / "meta.jsonl"
    path.write_bytes(
        b"\n".join([json.dumps(r).encode() for r in records] + [b"{broken", b""]) + b"\n"
    )
    rows, report = read_raw(path)
    assert len(rows) == 5 and all(tuple(row) == RAW_COLUMNS for row in rows)
    assert rows[2]["title"] == records[2]["title"] and rows[2]["details"] == records[2]["details"]
    assert (report.read, report.kept, report.rejected[UNREADABLE]) == (6, 5, 1)
    assert "line 6" in report.examples[UNREADABLE]
    assert len(read_raw(path, limit=2)[0]) == 2
    assert read_raw(path, columns=None)[0][4] == records[4]  # every field, as it arrives


@pytest.mark.parametrize(
    "line, readable",
    [
        (b'{"title": "x"}', True),
        (b'{"title": "x"}\r', True),
        ('{"title": "x"}', True),
        (b'\xef\xbb\xbf{"title": "x"}', True),  # a byte-order mark
        (b'{"title": "\\ud800"}', True),  # a lone surrogate escape: json reads it
        (b'{"title": "x"', False),
        (b'{"title": "\xff"}', False),
        (b"42", False),
        (b"[" * 100_000, False),  # nesting too deep for either parser
    ],
)
def test_parse_line_reads_objects_and_names_the_rest(line, readable):
    parsed = parse_line(line)
    assert isinstance(parsed, dict) == readable
    if not readable:
        assert parsed.reason == UNREADABLE and parsed.detail


def test_spans_cover_the_file_on_line_boundaries(tmp_path):
    path = tmp_path / "lines.jsonl"
    lines = [f'{{"n": {n}, "pad": "{"x" * (n % 37)}"}}\n'.encode() for n in range(500)]
    path.write_bytes(b"".join(lines))
    ranges = spans(path, 1_000)
    data = path.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    assert all(data[s - 1 : s] == b"\n" for s, _ in ranges[1:])
    assert b"".join(data[s:e] for s, e in ranges) == data
    assert spans(path, 10**9) == [(0, len(data))]


def test_smoke_mode_reads_the_catalog_from_the_hub_stand_in(llama_tokenizer):
    items, report = load_category("Appliances", llama_tokenizer, progress=False)  # downloaded
    assert report.read > 0 and len(items) == report.kept
    assert all(i.category == "Appliances" and 0.5 <= i.price <= 999.49 for i in items)


def test_reports_add_up():
    a = CurationReport("A", read=10)
    a.reject(Rejection(NO_PRICE, "None"))
    a.reject(Rejection(NO_PRICE, "'None'"))
    b = CurationReport("B", read=5)
    b.reject(Rejection(NO_PRICE, "null"))
    b.reject(Rejection(MALFORMED, "title is missing"))
    total = a + b
    assert (total.read, total.kept, total.rejected[NO_PRICE]) == (15, 11, 3)
    assert total.examples == {NO_PRICE: "None", MALFORMED: "title is missing"}
    assert "no price: 3 (20.0%)  e.g. None" in str(total)
