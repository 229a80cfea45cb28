from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundgame.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        # A person's requests about their data are people's; this app's part takes part
        # through people's registries rather than by people importing it.
        from groundgame.events import data_requests
        from groundgame.people import selectors as people_selectors

        people_selectors.person_export_part_register("events", data_requests.person_part)
