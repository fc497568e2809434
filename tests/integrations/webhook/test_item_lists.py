"""A list question's answer (a list of dicts) through the webhook adapter, to its simulator."""

import json

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_arrives_as_a_json_list_of_objects(sim, adapter):
    adapter.deliver({"reference": "MC-1", "items": ITEMS, "item_count": 2}, "key-items")

    (record,) = sim.records
    assert record["data"]["items"] == ITEMS
    (request,) = sim.requests
    assert json.loads(request.body)["items"] == ITEMS
