from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "groundgame.consent"
    label = "consent"
    verbose_name = "Consent"

    def ready(self) -> None:
        # The person's page belongs to people, which sits below consent: the card is shown
        # through people's registry rather than by people importing consent.
        from groundgame.consent import data_requests, merges, models, selectors
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_page_card_register(
            "consent",
            template="consent/person_card.html",
            context=lambda person_id, viewer: {
                "consent": selectors.person_consent(person_id=person_id, history=10)
            },
        )
        # Two records of one person merged: the survivor carries the consent of both, the
        # strictest choice winning, and the contacts of both count against their caps.
        people_services.person_merge_participant_register(
            "consent_subscriptions_strictest",
            merges.subscriptions_strictest,
            covers=("consent.Subscription.person",),
        )
        people_services.person_merge_rows_register(
            "consent_subscriptions", model=models.Subscription, unique_with=("channel", "topic")
        )
        people_services.person_merge_rows_register(
            "consent_channel_opt_outs", model=models.ChannelOptOut, unique_with=("channel",)
        )
        people_services.person_merge_participant_register(
            "consent_do_not_contact",
            merges.do_not_contact_move,
            covers=("consent.DoNotContact.person",),
        )
        people_services.person_merge_rows_register("consent_history", model=models.ConsentEvent)
        people_services.person_merge_rows_register("consent_contacts", model=models.Contact)
        # A person's export holds their consent; erasing them keeps them suppressed.
        people_selectors.person_export_part_register("consent", data_requests.person_part)
        people_services.person_eraser_register("consent", data_requests.person_erase)
        people_services.person_returned_register("consent", data_requests.person_returned)
