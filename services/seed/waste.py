# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""Bins and recycling: missed collection, bulky waste, replacement bin.

Welsh text is a plausible translation that NEEDS REVIEW by a Welsh speaker before go-live.
"""

from services.seed.helpers import BIN_TYPES, address, exit_page, options, page, t, when, yes_no

MISSED_BIN = {
    "pages": [
        page(
            "address",
            address(
                "collection_address",
                "What is the address of the missed collection?",
                "Beth yw cyfeiriad y casgliad a fethwyd?",
                prefill="address",
                name=t("the address", "y cyfeiriad"),
            ),
        ),
        page(
            "which-bin",
            {
                "id": "bin_type",
                "type": "radios",
                "label": t("Which bin was not collected?", "Pa fin na chafodd ei gasglu?"),
                "options": BIN_TYPES,
                "name": t("which bin was not collected", "pa fin na chafodd ei gasglu"),
            },
        ),
        page(
            "garden-subscription",
            yes_no(
                "garden_subscription",
                "Do you have a garden waste subscription?",
                "A oes gennych danysgrifiad gwastraff gardd?",
            ),
            show_if=when("bin_type", "garden"),
        ),
        exit_page(
            "no-garden-subscription",
            t(
                "You need a garden waste subscription",
                "Mae angen tanysgrifiad gwastraff gardd arnoch",
            ),
            t(
                "We only collect garden waste for households with a subscription. You can subscribe on our website or by calling 01234 567890.",
                "Dim ond ar gyfer aelwydydd sydd â thanysgrifiad yr ydym yn casglu gwastraff gardd. Gallwch danysgrifio ar ein gwefan neu drwy ffonio 01234 567890.",
            ),
            when("garden_subscription", "no"),
        ),
        page(
            "collection-date",
            {
                "id": "collection_date",
                "type": "date",
                "label": t(
                    "When should it have been collected?", "Pryd y dylai fod wedi'i gasglu?"
                ),
                "name": t("the collection date", "dyddiad y casgliad"),
                "validation": {"date": "today_or_past"},
            },
        ),
        page(
            "put-out",
            yes_no(
                "put_out_by_7am",
                "Was the bin at the edge of your property by 7am?",
                "Oedd y bin ar ymyl eich eiddo erbyn 7am?",
            ),
        ),
        exit_page(
            "put-out-late",
            t("We cannot return to collect this bin", "Ni allwn ddychwelyd i gasglu'r bin hwn"),
            t(
                "Bins must be out by 7am on collection day. Put it out again on your next collection day.",
                "Rhaid i finiau fod allan erbyn 7am ar y diwrnod casglu. Rhowch ef allan eto ar eich diwrnod casglu nesaf.",
            ),
            when("put_out_by_7am", "no"),
        ),
        page(
            "details",
            {
                "id": "details",
                "type": "long_text",
                "required": False,
                "label": t(
                    "Is there anything else we should know?",
                    "A oes unrhyw beth arall y dylem ei wybod?",
                ),
                "hint": t(
                    "For example, where the bin is kept",
                    "Er enghraifft, ble mae'r bin yn cael ei gadw",
                ),
                "validation": {"max_length": 500},
            },
        ),
    ]
}

BULKY_WASTE = {
    "pages": [
        page(
            "address",
            address(
                "collection_address",
                "Where should we collect the items from?",
                "O ble y dylem gasglu'r eitemau?",
                prefill="address",
                name=t("the collection address", "cyfeiriad y casgliad"),
            ),
        ),
        page(
            "items",
            {
                "id": "items",
                "type": "checkboxes",
                "label": t("What do you need collected?", "Beth sydd angen i ni ei gasglu?"),
                "hint": t(
                    "Select up to 5 items. Each booking costs £25.",
                    "Dewiswch hyd at 5 eitem. Mae pob archeb yn costio £25.",
                ),
                "options": options(
                    ("sofa", "Sofa", "Soffa"),
                    ("armchair", "Armchair", "Cadair freichiau"),
                    ("mattress", "Mattress", "Matres"),
                    ("bed-frame", "Bed frame", "Ffrâm gwely"),
                    ("wardrobe", "Wardrobe", "Cwpwrdd dillad"),
                    ("table", "Table", "Bwrdd"),
                    ("fridge-freezer", "Fridge or freezer", "Oergell neu rewgell"),
                    ("washing-machine", "Washing machine", "Peiriant golchi"),
                    ("other", "Something else", "Rhywbeth arall"),
                ),
                "validation": {"max": 5},
                "messages": {
                    "required": t(
                        "Select the items you need collected",
                        "Dewiswch yr eitemau y mae angen eu casglu",
                    )
                },
            },
        ),
        # "Something else": each other item in turn (GOV.UK's "add another"), so the crew
        # knows how many there are and which need two people.
        page(
            "other-items",
            {
                "id": "other_items",
                "type": "repeat",
                "label": t("What else do you need collected?", "Beth arall sydd angen ei gasglu?"),
                "item_name": t("other item", "eitem arall"),
                "item_name_plural": t("other items", "eitemau eraill"),
                "questions": [
                    {
                        "id": "description",
                        "type": "short_text",
                        "label": t("Describe the item", "Disgrifiwch yr eitem"),
                        "name": t("a description of the item", "disgrifiad o'r eitem"),
                        "validation": {"max_length": 100},
                    },
                    {
                        "id": "size",
                        "type": "radios",
                        "label": t("How big is it?", "Pa mor fawr yw hi?"),
                        "name": t("how big it is", "pa mor fawr yw hi"),
                        "options": options(
                            ("one-person", "One person can carry it", "Gall un person ei chario"),
                            ("two-people", "It needs two people", "Mae angen dau berson"),
                        ),
                    },
                ],
                "validation": {"max": 5},
            },
            show_if=when("items", "other"),
        ),
        page(
            "collection-date",
            {
                "id": "preferred_date",
                "type": "date",
                "label": t("When would you like the collection?", "Pryd hoffech chi i ni gasglu?"),
                "hint": t(
                    "We collect Monday to Friday.",
                    "Rydym yn casglu o ddydd Llun i ddydd Gwener.",
                ),
                "name": t("the collection date", "dyddiad y casgliad"),
                "validation": {"date": "future"},
            },
        ),
        page(
            "where-left",
            {
                "id": "where_left",
                "type": "short_text",
                "label": t(
                    "Where will you leave the items?", "Ble byddwch chi'n gadael yr eitemau?"
                ),
                "hint": t(
                    "Items must be outside, for example in the front garden",
                    "Rhaid i eitemau fod y tu allan, er enghraifft yn yr ardd flaen",
                ),
                "name": t("where you will leave the items", "ble byddwch yn gadael yr eitemau"),
                "validation": {"max_length": 200},
            },
        ),
    ]
}

REPLACEMENT_BIN = {
    "pages": [
        page(
            "address",
            address(
                "bin_address",
                "What is your address?",
                "Beth yw eich cyfeiriad?",
                prefill="address",
                name=t("your address", "eich cyfeiriad"),
            ),
        ),
        page(
            "which-bin",
            {
                "id": "bin_type",
                "type": "radios",
                "label": t("Which bin do you need?", "Pa fin sydd ei angen arnoch?"),
                "options": BIN_TYPES,
                "name": t("which bin you need", "pa fin sydd ei angen arnoch"),
            },
        ),
        page(
            "reason",
            {
                "id": "reason",
                "type": "radios",
                "label": t("Why do you need a replacement?", "Pam mae angen un newydd arnoch?"),
                "options": options(
                    ("damaged", "It is damaged", "Mae wedi'i ddifrodi"),
                    ("stolen", "It was stolen", "Cafodd ei ddwyn"),
                    ("lost", "It is missing", "Mae ar goll"),
                    (
                        "new-property",
                        "I have moved into a new-build property",
                        "Rwyf wedi symud i eiddo newydd",
                    ),
                ),
                "name": t("why you need a replacement", "pam mae angen un newydd arnoch"),
            },
        ),
        page(
            "damage",
            {
                "id": "damage",
                "type": "long_text",
                "label": t("How is the bin damaged?", "Sut mae'r bin wedi'i ddifrodi?"),
                "name": t("how the bin is damaged", "sut mae'r bin wedi'i ddifrodi"),
                "validation": {"max_length": 300},
            },
            show_if=when("reason", "damaged"),
        ),
        page(
            "reported-theft",
            yes_no(
                "reported_to_police",
                "Have you reported the theft to the police?",
                "Ydych chi wedi rhoi gwybod i'r heddlu am y lladrad?",
            ),
            show_if=when("reason", "stolen"),
        ),
        exit_page(
            "report-theft-first",
            t(
                "Report the theft to the police first",
                "Rhowch wybod i'r heddlu am y lladrad yn gyntaf",
            ),
            t(
                "Call 101 or report it online to get a crime reference number, then come back to request a free replacement.",
                "Ffoniwch 101 neu rhowch wybod ar-lein i gael cyfeirnod trosedd, yna dewch yn ôl i ofyn am fin newydd am ddim.",
            ),
            {"all": [when("reason", "stolen"), when("reported_to_police", "no")]},
        ),
        page(
            "crime-reference",
            {
                "id": "crime_reference",
                "type": "short_text",
                "label": t("What is the crime reference number?", "Beth yw'r cyfeirnod trosedd?"),
                "name": t("the crime reference number", "y cyfeirnod trosedd"),
                "validation": {
                    "max_length": 30,
                    "pattern": "[A-Za-z0-9/ -]+",
                    "pattern_message": t(
                        "Crime reference number must only include letters, numbers, slashes and hyphens",
                        "Rhaid i'r cyfeirnod trosedd gynnwys llythrennau, rhifau, slaesau a chysylltnodau yn unig",
                    ),
                },
            },
            show_if=when("reported_to_police", "yes"),
        ),
    ]
}
