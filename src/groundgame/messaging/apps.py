from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "groundgame.messaging"
    label = "messaging"
    verbose_name = "Messaging"

    def ready(self) -> None:
        # A person's requests about their data are people's; this app's part takes part
        # through people's registries rather than by people importing it.
        from groundgame.messaging import data_requests, models, selectors
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_export_part_register("messaging", data_requests.person_part)
        people_selectors.person_activity_reader_register("messaging", selectors.person_activity)
        people_services.person_eraser_register("messaging", data_requests.person_erase)
        # Two records of one person merged: what was sent to either was sent to the survivor
        # (one send per mailing: if both got one, the absorbed record keeps its own).
        people_services.person_merge_rows_register(
            "messaging_sends", model=models.Send, unique_with=("mailing",)
        )
