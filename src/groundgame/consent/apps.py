from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "groundgame.consent"
    label = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        # The person's page belongs to people, which sits below consent: the card is shown
        # through people's registry rather than by people importing consent.
        from groundgame.consent import data_requests, selectors, services
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_page_card_register(
            "consent",
            template="consent/person_card.html",
            context=lambda person_id: {
                "consent": selectors.person_consent(person_id=person_id, history=10)
            },
        )
        # Two records of one person merged: the contacts of both count against their caps.
        people_services.person_merge_participant_register(
            "consent_contacts", services.contacts_move
        )
        # A person's export holds their consent; erasing them keeps them suppressed.
        people_selectors.person_export_part_register("consent", data_requests.person_part)
        people_services.person_eraser_register("consent", data_requests.person_erase)
        people_services.person_returned_register("consent", data_requests.person_returned)
