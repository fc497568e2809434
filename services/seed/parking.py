# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""Parking: resident parking permits.

Welsh text is a plausible translation that NEEDS REVIEW by a Welsh speaker before go-live.
"""

from services.seed.helpers import address, exit_page, options, page, t, when, yes_no

RESIDENT_PERMIT = {
    "pages": [
        page(
            "in-zone",
            yes_no(
                "in_zone",
                "Do you live in a resident parking zone?",
                "Ydych chi'n byw mewn parth parcio i breswylwyr?",
                hint=t(
                    "Zones are shown on signs at the entrance to your street",
                    "Dangosir parthau ar arwyddion wrth fynedfa eich stryd",
                ),
            ),
        ),
        exit_page(
            "not-in-zone",
            t(
                "You cannot get a resident parking permit",
                "Ni allwch gael trwydded parcio i breswylwyr",
            ),
            t(
                "Permits are only for people who live in a resident parking zone. You can ask for a zone to be considered by calling 01234 567890.",
                "Dim ond i bobl sy'n byw mewn parth parcio i breswylwyr y mae trwyddedau. Gallwch ofyn i ni ystyried parth drwy ffonio 01234 567890.",
            ),
            when("in_zone", "no"),
        ),
        page(
            "address",
            address(
                "home_address",
                "What is your address?",
                "Beth yw eich cyfeiriad?",
                prefill="address",
                name=t("your address", "eich cyfeiriad"),
            ),
        ),
        page(
            "vehicle",
            {
                "id": "registration",
                "type": "vehicle_registration",
                "label": t(
                    "What is the vehicle's registration number?", "Beth yw rhif cofrestru'r cerbyd?"
                ),
                "hint": t("For example, AB12 CDE", "Er enghraifft, AB12 CDE"),
                "name": t("the registration number", "y rhif cofrestru"),
            },
        ),
        page(
            "keeper",
            yes_no(
                "registered_keeper",
                "Is the vehicle registered to you at this address?",
                "A yw'r cerbyd wedi'i gofrestru i chi yn y cyfeiriad hwn?",
            ),
        ),
        page(
            "evidence",
            {
                "id": "evidence",
                "type": "file",
                "label": t(
                    "Upload proof that you may use the vehicle",
                    "Uwchlwythwch brawf y gallwch ddefnyddio'r cerbyd",
                ),
                "hint": t(
                    "For example, a letter from your employer or lease company, as a PDF or photo",
                    "Er enghraifft, llythyr gan eich cyflogwr neu gwmni prydlesu, fel PDF neu lun",
                ),
                "name": t(
                    "proof that you may use the vehicle", "prawf y gallwch ddefnyddio'r cerbyd"
                ),
            },
            show_if=when("registered_keeper", "no"),
        ),
        page(
            "length",
            {
                "id": "permit_length",
                "type": "radios",
                "label": t(
                    "How long do you want the permit for?", "Am ba hyd rydych eisiau'r drwydded?"
                ),
                "options": options(
                    ("3-months", "3 months (£30)", "3 mis (£30)"),
                    ("6-months", "6 months (£55)", "6 mis (£55)"),
                    ("12-months", "12 months (£100)", "12 mis (£100)"),
                ),
            },
        ),
        page(
            "confirm",
            {
                "id": "declaration",
                "type": "declaration",
                "label": t(
                    "I confirm that I live at this address and that the information I have given is correct",
                    "Rwy'n cadarnhau fy mod yn byw yn y cyfeiriad hwn a bod y wybodaeth a roddais yn gywir",
                ),
                "hint": t(
                    "Giving false information to get a permit is an offence",
                    "Mae rhoi gwybodaeth ffug i gael trwydded yn drosedd",
                ),
            },
        ),
    ]
}
