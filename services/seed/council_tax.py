# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""Council Tax: tell us you have moved home.

Welsh text is a plausible translation that NEEDS REVIEW by a Welsh speaker before go-live.
"""

from services.seed.helpers import address, exit_page, options, page, t, when, yes_no

MOVING_HOME = {
    "pages": [
        page(
            "liable",
            yes_no(
                "liable",
                "Are you the person who pays the Council Tax?",
                "Ai chi yw'r person sy'n talu'r Dreth Gyngor?",
                hint=t(
                    "Or someone acting for them, such as a landlord or solicitor",
                    "Neu rywun sy'n gweithredu ar eu rhan, fel landlord neu gyfreithiwr",
                ),
            ),
        ),
        exit_page(
            "ask-the-bill-payer",
            t(
                "Ask the person who pays the Council Tax to tell us",
                "Gofynnwch i'r person sy'n talu'r Dreth Gyngor roi gwybod i ni",
            ),
            t(
                "We can only change a Council Tax account when the bill payer, or someone acting for them, tells us about a move.",
                "Dim ond pan fydd y talwr, neu rywun sy'n gweithredu ar ei ran, yn rhoi gwybod i ni am symud y gallwn newid cyfrif Treth Gyngor.",
            ),
            when("liable", "no"),
        ),
        page(
            "old-address",
            address(
                "old_address",
                "What address did you move out of?",
                "O ba gyfeiriad y gwnaethoch symud?",
                prefill="address",
                name=t("the address you moved out of", "y cyfeiriad y gwnaethoch symud ohono"),
            ),
        ),
        page(
            "move-date",
            {
                "id": "move_date",
                "type": "date",
                "label": t("When did you move out?", "Pryd wnaethoch chi symud allan?"),
                "name": t("the date you moved out", "y dyddiad y gwnaethoch symud allan"),
                "validation": {"date": "today_or_past"},
            },
        ),
        page(
            "moving-to",
            {
                "id": "moving_to",
                "type": "radios",
                "label": t("Where have you moved to?", "I ble rydych chi wedi symud?"),
                "options": options(
                    (
                        "within",
                        "Another address in this council's area",
                        "Cyfeiriad arall yn ardal y cyngor hwn",
                    ),
                    (
                        "away",
                        "An address outside this council's area",
                        "Cyfeiriad y tu allan i ardal y cyngor hwn",
                    ),
                ),
            },
        ),
        page(
            "new-address",
            address(
                "new_address",
                "What is your new address?",
                "Beth yw eich cyfeiriad newydd?",
                name=t("your new address", "eich cyfeiriad newydd"),
            ),
            show_if=when("moving_to", "within"),
        ),
        page(
            "tenure",
            {
                "id": "tenure",
                "type": "radios",
                "label": t(
                    "Do you own or rent your new home?",
                    "Ydych chi'n berchen ar eich cartref newydd neu'n ei rentu?",
                ),
                "options": options(
                    ("own", "I own it or am buying it", "Rwy'n berchen arno neu'n ei brynu"),
                    (
                        "rent-private",
                        "I rent from a private landlord",
                        "Rwy'n rhentu gan landlord preifat",
                    ),
                    (
                        "rent-social",
                        "I rent from the council or a housing association",
                        "Rwy'n rhentu gan y cyngor neu gymdeithas dai",
                    ),
                ),
            },
            show_if=when("moving_to", "within"),
        ),
        page(
            "adults",
            yes_no(
                "other_adults",
                "Does anyone else aged 18 or over live with you at your new address?",
                "A oes unrhyw un arall 18 oed neu hŷn yn byw gyda chi yn eich cyfeiriad newydd?",
                hint=t(
                    "This affects whether you can get a single person discount",
                    "Mae hyn yn effeithio a allwch gael gostyngiad person sengl",
                ),
            ),
            show_if=when("moving_to", "within"),
        ),
        page(
            "adult-names",
            {
                "id": "adult_names",
                "type": "long_text",
                "label": t("What are their full names?", "Beth yw eu henwau llawn?"),
                "hint": t("Put each name on a new line", "Rhowch bob enw ar linell newydd"),
                "validation": {"max_length": 500},
            },
            show_if=when("other_adults", "yes"),
        ),
        page(
            "forwarding-address",
            address(
                "forwarding_address",
                "What is your forwarding address?",
                "Beth yw eich cyfeiriad anfon ymlaen?",
                name=t("your forwarding address", "eich cyfeiriad anfon ymlaen"),
                hint=t(
                    "We will send your final bill here", "Byddwn yn anfon eich bil terfynol yma"
                ),
            ),
            show_if=when("moving_to", "away"),
        ),
        page(
            "email",
            {
                "id": "email",
                "type": "email",
                "prefill": "email",
                "label": t("What is your email address?", "Beth yw eich cyfeiriad e-bost?"),
                "hint": t(
                    "We will send your new bill to this address",
                    "Byddwn yn anfon eich bil newydd i'r cyfeiriad hwn",
                ),
            },
        ),
    ]
}
