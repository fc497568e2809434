"""A list question's answer through the CRM adapter: a CRM column holds one value, so the list
goes whole as JSON text (a multi-line text column), still structured for the back office."""

import json

from tests.integrations.crm.test_delivery import KEY, PAYLOAD

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_is_one_column_of_json_text(sim, adapter):
    adapter.deliver({**PAYLOAD, "mc_items": ITEMS, "mc_item_codes": ["L", "S"]}, KEY)

    (record,) = sim.records
    assert json.loads(record["data"]["mc_items"]) == ITEMS
    assert record["data"]["mc_item_codes"] == ["L", "S"]  # a list of values stays a list
    assert record["data"]["title"] == PAYLOAD["title"]
