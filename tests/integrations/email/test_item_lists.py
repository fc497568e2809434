"""A list question's answer through the e-mail adapter: one readable line per item in the text
and HTML bodies, the list itself in answers.json."""

import json

ITEMS = [{"description": "Sofa", "size": "large"}, {"description": "Chair", "size": "small"}]


def test_a_list_of_items_reads_one_line_per_item_and_stays_a_list_in_the_json(sim, adapter):
    adapter.deliver({"service": "Bulky waste", "Items": ITEMS}, "key-items")

    (received,) = sim.messages
    assert "Items:\n  1. Sofa, large\n  2. Chair, small" in received.body("plain")
    assert "1. Sofa, large\n2. Chair, small" in received.body("html")
    answers = json.loads(received.attachments()["answers.json"])
    assert answers["Items"] == ITEMS
