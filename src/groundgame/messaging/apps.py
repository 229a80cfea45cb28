from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "groundgame.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # A person's requests about their data are people's; this app's part takes part
        # through people's registries rather than by people importing it.
        from groundgame.messaging import data_requests
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_export_part_register("messaging", data_requests.person_part)
        people_services.person_eraser_register("messaging", data_requests.person_erase)
