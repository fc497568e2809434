"""A list question's answer through the Open311 adapter: GeoReport v2 has text and attribute[]
lists, so the description takes numbered lines and a multi-valued attribute one value per item."""

from tests.integrations.open311.test_delivery import PAYLOAD, form_of

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_is_description_lines_and_one_attribute_value_per_item(sim, adapter):
    payload = {**PAYLOAD, "description": ITEMS, "attribute.items": ITEMS}

    adapter.deliver(payload, "key-items")

    (record,) = sim.records
    (request,) = sim.requests
    form = form_of(request)
    assert ("attribute[items][]", "Sofa, large") in form
    assert ("attribute[items][]", "Chair, small") in form
    assert record["attributes"]["items"] == ["Sofa, large", "Chair, small"]
    assert record["fields"]["description"].startswith("1. Sofa, large\n2. Chair, small")
