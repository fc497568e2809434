"""A list question's answer through the SFTP adapter: a JSON cell in CSV, an array in JSON lines."""

import csv
import io
import json

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_is_a_json_cell_in_csv(sim, adapter):
    adapter.deliver_batch([({"reference": "MC-1", "items": ITEMS}, "key-1")], "batch-items")

    data = sim.files()["drop/moving-home-batch-items.csv"].decode()
    (row,) = csv.DictReader(io.StringIO(data))
    assert json.loads(row["items"]) == ITEMS


def test_a_list_of_items_is_an_array_in_json_lines(sim, make_adapter):
    make_adapter(format="jsonl").deliver_batch(
        [({"reference": "MC-1", "items": ITEMS}, "key-1")], "batch-items"
    )

    (line,) = sim.files()["drop/moving-home-batch-items.jsonl"].decode().splitlines()
    assert json.loads(line)["items"] == ITEMS
