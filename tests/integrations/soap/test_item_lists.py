"""A list question's answer through the SOAP adapter: numbered lines in a text element, and the
WSDL's repeated Field elements, one per item's answer."""

from tests.integrations.soap.test_delivery import PAYLOAD

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_is_text_lines_in_the_description_and_repeated_fields(sim, adapter):
    payload = {**PAYLOAD, "Description": ITEMS, "field.items": ITEMS}

    adapter.deliver(payload, "items-delivery-key")

    (record,) = sim.records
    assert record["description"] == "1. Sofa, large\n2. Chair, small"
    assert record["fields"] == {
        "bin_colour": "green",
        "assisted_collection": "true",
        "items.1.description": "Sofa",
        "items.1.size": "large",
        "items.2.description": "Chair",
        "items.2.size": "small",
    }
