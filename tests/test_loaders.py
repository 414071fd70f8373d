"""Loading a category: datasets.map over the raw file gives exactly what curate_batch gives."""

import json

from helpers.items import MALFORMED, NO_PRICE, Item, Rejection, curate_batch
from helpers.loaders import CurationReport, load_category
from standins.catalog import generate_records


def write_jsonl(path, records):
    with open(path, "w") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return str(path)


def test_load_category_matches_curate_batch_and_counts_rejections(tmp_path, tiny_tokenizer):
    records = generate_records("Toys_and_Games", 2_500, seed=5)
    records[3] = {**records[3], "title": 12345}  # a malformed record in the middle of the file
    records[7] = {**records[7], "price": None}
    source = write_jsonl(tmp_path / "meta_Toys_and_Games.jsonl", records)

    items, report = load_category("Toys_and_Games", tiny_tokenizer, source=source, num_proc=2)

    expected = curate_batch(records, tiny_tokenizer, "Toys_and_Games")
    assert items == [r for r in expected if isinstance(r, Item)]
    reasons = [r.reason for r in expected if isinstance(r, Rejection)]
    assert report.read == 2_500
    assert report.kept == len(items)
    assert sum(report.rejected.values()) == len(reasons)
    assert report.rejected[MALFORMED] >= 1 and report.rejected[NO_PRICE] >= 1
    assert "read 2,500" in str(report) and "malformed record" in str(report)


def test_one_process_and_two_agree(tmp_path, tiny_tokenizer):
    source = write_jsonl(tmp_path / "meta.jsonl", generate_records("Electronics", 2_200, seed=9))
    one, _ = load_category("Electronics", tiny_tokenizer, source=source, num_proc=1)
    two, _ = load_category("Electronics", tiny_tokenizer, source=source, num_proc=2)
    assert one == two and len(one) > 1_800


def test_smoke_mode_writes_the_catalog_on_first_use(tiny_tokenizer):
    items, report = load_category("Appliances", tiny_tokenizer)  # smoke default source
    assert report.read > 0 and len(items) == report.kept
    assert all(i.category == "Appliances" and 0.5 <= i.price <= 999.49 for i in items)


def test_reports_add_up():
    a = CurationReport("A", read=10)
    a.rejected.update({NO_PRICE: 2})
    b = CurationReport("B", read=5)
    b.rejected.update({NO_PRICE: 1, MALFORMED: 1})
    total = a + b
    assert (total.read, total.kept, total.rejected[NO_PRICE]) == (15, 11, 3)
