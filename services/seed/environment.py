# ruff: noqa: E501  (seeded prose reads better unbroken than split mid-sentence)
"""Environment: noise complaints.

Welsh text is a plausible translation that NEEDS REVIEW by a Welsh speaker before go-live.
"""

from services.seed.helpers import exit_page, options, page, t, when, yes_no

NOISE = {
    "pages": [
        page(
            "noise-type",
            {
                "id": "noise_type",
                "type": "radios",
                "label": t("What kind of noise is it?", "Pa fath o sŵn ydyw?"),
                "options": options(
                    ("music", "Loud music or parties", "Cerddoriaeth uchel neu bartïon"),
                    ("dog", "Barking dogs", "Cŵn yn cyfarth"),
                    ("alarm", "Burglar or car alarms", "Larymau lladron neu geir"),
                    ("construction", "Building work", "Gwaith adeiladu"),
                    ("commercial", "A shop, pub or factory", "Siop, tafarn neu ffatri"),
                    ("street", "People in the street or traffic", "Pobl yn y stryd neu draffig"),
                    ("other", "Something else", "Rhywbeth arall"),
                ),
                "name": t("what kind of noise it is", "pa fath o sŵn ydyw"),
            },
        ),
        exit_page(
            "police-matter",
            t("Report this to the police", "Rhowch wybod i'r heddlu am hyn"),
            t(
                "We cannot deal with noise from people in the street or from traffic. Call the police on 101, or 999 in an emergency.",
                "Ni allwn ddelio â sŵn gan bobl yn y stryd neu draffig. Ffoniwch yr heddlu ar 101, neu 999 mewn argyfwng.",
            ),
            when("noise_type", "street"),
        ),
        page(
            "source",
            {
                "id": "source",
                "type": "long_text",
                "label": t("Where is the noise coming from?", "O ble mae'r sŵn yn dod?"),
                "hint": t(
                    "Give an address if you know it, for example '14 Park Road, the flat above mine'",
                    "Rhowch gyfeiriad os ydych yn ei wybod, er enghraifft '14 Heol y Parc, y fflat uwch fy mhen'",
                ),
                "name": t("where the noise is coming from", "o ble mae'r sŵn yn dod"),
                "validation": {"max_length": 300},
            },
        ),
        page(
            "times",
            {
                "id": "times",
                "type": "checkboxes",
                "label": t("When does it happen?", "Pryd mae'n digwydd?"),
                "hint": t("Select all that apply", "Dewiswch bob un sy'n berthnasol"),
                "options": options(
                    ("morning", "Morning (6am to noon)", "Bore (6am i hanner dydd)"),
                    ("afternoon", "Afternoon (noon to 6pm)", "Prynhawn (hanner dydd i 6pm)"),
                    ("evening", "Evening (6pm to 11pm)", "Min nos (6pm i 11pm)"),
                    ("night", "Night (11pm to 6am)", "Nos (11pm i 6am)"),
                ),
            },
        ),
        page(
            "started",
            {
                "id": "started",
                "type": "date",
                "label": t("When did it start?", "Pryd ddechreuodd?"),
                "hint": t(
                    "An approximate date is fine.",
                    "Mae dyddiad bras yn iawn.",
                ),
                "name": t("the date it started", "y dyddiad y dechreuodd"),
                "validation": {"date": "today_or_past"},
            },
        ),
        page(
            "ongoing",
            yes_no(
                "ongoing",
                "Is it still happening?",
                "A yw'n dal i ddigwydd?",
                name=t("if the noise is still happening", "a yw'r sŵn yn dal i ddigwydd"),
            ),
        ),
        page(
            "how-often",
            {
                "id": "frequency",
                "type": "radios",
                "label": t("How often does it happen?", "Pa mor aml mae'n digwydd?"),
                "options": options(
                    ("daily", "Every day", "Bob dydd"),
                    ("weekly", "A few times a week", "Ychydig o weithiau'r wythnos"),
                    ("occasionally", "Less than once a week", "Llai nag unwaith yr wythnos"),
                ),
            },
            show_if=when("ongoing", "yes"),
        ),
        page(
            "stopped",
            {
                "id": "stopped",
                "type": "date",
                "label": t("When did it stop?", "Pryd wnaeth stopio?"),
                "validation": {"date": "today_or_past"},
            },
            show_if=when("ongoing", "no"),
        ),
        page(
            "effect",
            {
                "id": "effect",
                "type": "long_text",
                "label": t("How is it affecting you?", "Sut mae'n effeithio arnoch chi?"),
                "hint": t(
                    "For example, you cannot sleep or work from home",
                    "Er enghraifft, ni allwch gysgu na gweithio gartref",
                ),
                "validation": {"max_length": 1000},
            },
        ),
        page(
            "phone",
            {
                "id": "phone",
                "type": "phone",
                "required": False,
                "prefill": "phone",
                "label": t(
                    "What is your phone number? (optional)", "Beth yw eich rhif ffôn? (dewisol)"
                ),
                "hint": t(
                    "An officer may call to arrange a visit",
                    "Efallai y bydd swyddog yn ffonio i drefnu ymweliad",
                ),
            },
        ),
    ]
}
