# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""Roads and streets: potholes and fly-tipping.

Welsh text is a plausible translation that NEEDS REVIEW by a Welsh speaker before go-live.
"""

from services.seed.helpers import exit_page, options, page, t, when, yes_no

LOCATION_HINT = t(
    "Describe where it is, for example 'outside 12 High Street, near the bus stop'",
    "Disgrifiwch ble mae, er enghraifft 'y tu allan i 12 Stryd Fawr, ger yr arhosfan bysiau'",
)

POTHOLE = {
    "pages": [
        page(
            "danger",
            yes_no(
                "immediate_danger",
                "Is the pothole an immediate danger to people or vehicles?",
                "A yw'r twll yn y ffordd yn berygl uniongyrchol i bobl neu gerbydau?",
                hint=t(
                    "For example, it is very deep or on a busy junction",
                    "Er enghraifft, mae'n ddwfn iawn neu ar gyffordd brysur",
                ),
            ),
        ),
        exit_page(
            "call-us-now",
            t("Call us now", "Ffoniwch ni nawr"),
            t(
                "Call 01234 567890 (24 hours) so we can make it safe today. Do not use this form.",
                "Ffoniwch 01234 567890 (24 awr) er mwyn i ni allu ei wneud yn ddiogel heddiw. Peidiwch â defnyddio'r ffurflen hon.",
            ),
            when("immediate_danger", "yes"),
        ),
        page(
            "location",
            {
                "id": "pothole_location",
                "type": "location",
                "label": t("Where is the pothole?", "Ble mae'r twll yn y ffordd?"),
                "hint": LOCATION_HINT,
                "name": t("where the pothole is", "ble mae'r twll yn y ffordd"),
            },
        ),
        page(
            "surface",
            {
                "id": "surface",
                "type": "radios",
                "label": t("Where is it on the street?", "Ble mae ar y stryd?"),
                "options": options(
                    ("road", "On the road", "Ar y ffordd"),
                    ("pavement", "On the pavement", "Ar y palmant"),
                    ("cycle-lane", "In a cycle lane", "Mewn lôn feicio"),
                ),
            },
        ),
        page(
            "size",
            {
                "id": "pothole_size",
                "type": "radios",
                "label": t("How big is it?", "Pa mor fawr ydyw?"),
                "options": options(
                    ("small", "Smaller than a dinner plate", "Llai na phlât cinio"),
                    (
                        "medium",
                        "Between a dinner plate and a car tyre",
                        "Rhwng plât cinio a theiar car",
                    ),
                    ("large", "Bigger than a car tyre", "Mwy na theiar car"),
                ),
                "name": t("how big the pothole is", "pa mor fawr yw'r twll"),
            },
        ),
        page(
            "photo",
            {
                "id": "photo",
                "type": "file",
                "required": False,
                "label": t(
                    "Upload a photo of the pothole (optional)",
                    "Uwchlwythwch lun o'r twll (dewisol)",
                ),
                "hint": t(
                    "JPG, PNG, WebP or PDF, smaller than 10MB",
                    "JPG, PNG, WebP neu PDF, llai na 10MB",
                ),
                "validation": {"max_size_mb": 10},
            },
        ),
    ]
}

FLY_TIPPING = {
    "pages": [
        page(
            "private-land",
            yes_no(
                "private_land",
                "Is the rubbish on private land?",
                "A yw'r sbwriel ar dir preifat?",
                hint=t(
                    "For example, a private garden, car park or field",
                    "Er enghraifft, gardd breifat, maes parcio neu gae",
                ),
            ),
        ),
        exit_page(
            "landowner",
            t("The landowner must clear it", "Rhaid i berchennog y tir ei glirio"),
            t(
                "We only clear fly-tipping from public land. Contact the landowner; if they do not act, call 01234 567890.",
                "Dim ond o dir cyhoeddus yr ydym yn clirio tipio anghyfreithlon. Cysylltwch â pherchennog y tir; os na fyddant yn gweithredu, ffoniwch 01234 567890.",
            ),
            when("private_land", "yes"),
        ),
        page(
            "location",
            {
                "id": "tipping_location",
                "type": "location",
                "label": t("Where is the fly-tipping?", "Ble mae'r tipio anghyfreithlon?"),
                "hint": LOCATION_HINT,
            },
        ),
        page(
            "waste-type",
            {
                "id": "waste_type",
                "type": "checkboxes",
                "label": t("What has been dumped?", "Beth sydd wedi'i adael?"),
                "hint": t("Select all that apply", "Dewiswch bob un sy'n berthnasol"),
                "options": options(
                    ("household", "Bags of household rubbish", "Bagiau o sbwriel cartref"),
                    ("garden", "Garden waste", "Gwastraff gardd"),
                    ("building", "Building rubble", "Rwbel adeiladu"),
                    ("furniture", "Furniture or mattresses", "Dodrefn neu fatresi"),
                    (
                        "electrical",
                        "Fridges or electrical items",
                        "Oergelloedd neu eitemau trydanol",
                    ),
                    ("tyres", "Tyres", "Teiars"),
                    (
                        "hazardous",
                        "Chemicals, asbestos or needles",
                        "Cemegion, asbestos neu nodwyddau",
                    ),
                    ("other", "Something else", "Rhywbeth arall"),
                ),
                "name": t("what has been dumped", "beth sydd wedi'i adael"),
            },
        ),
        page(
            "other-waste",
            {
                "id": "other_waste",
                "type": "short_text",
                "label": t("What else has been dumped?", "Beth arall sydd wedi'i adael?"),
                "validation": {"max_length": 200},
            },
            show_if=when("waste_type", "other"),
        ),
        page(
            "amount",
            {
                "id": "amount",
                "type": "radios",
                "label": t("How much is there?", "Faint sydd yna?"),
                "options": options(
                    ("single", "A single item or bag", "Un eitem neu fag"),
                    ("car-boot", "About a car boot load", "Tua llond cist car"),
                    ("van", "About a van load", "Tua llond fan"),
                    ("lorry", "More than a van load", "Mwy na llond fan"),
                ),
            },
        ),
        page(
            "photo",
            {
                "id": "photo",
                "type": "file",
                "required": False,
                "label": t("Upload a photo (optional)", "Uwchlwythwch lun (dewisol)"),
                "hint": t(
                    "Do not approach anyone dumping rubbish",
                    "Peidiwch â mynd at unrhyw un sy'n gadael sbwriel",
                ),
            },
        ),
        page(
            "witnessed",
            yes_no("witnessed", "Did you see who dumped it?", "Welsoch chi pwy a'i gadawodd?"),
        ),
        page(
            "witness-details",
            {
                "id": "witness_details",
                "type": "long_text",
                "label": t("Tell us what you saw", "Dywedwch wrthym beth a welsoch"),
                "hint": t(
                    "For example, a description of the people or a vehicle registration",
                    "Er enghraifft, disgrifiad o'r bobl neu rif cofrestru cerbyd",
                ),
                "validation": {"max_length": 1000},
            },
            show_if=when("witnessed", "yes"),
        ),
    ]
}
