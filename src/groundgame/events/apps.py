from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundgame.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        # A person's requests about their data are people's; this app's part takes part
        # through people's registries rather than by people importing it.
        from groundgame.events import data_requests, models, selectors
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_export_part_register("events", data_requests.person_part)
        people_selectors.person_activity_reader_register("events", selectors.person_activity)
        # Two records of one person merged: the survivor keeps both records' places on
        # shifts (one per shift) and the events either hosts.
        people_services.person_merge_rows_register(
            "events_shift_signups", model=models.ShiftSignup, unique_with=("shift",)
        )
        people_services.person_merge_rows_register(
            "events_hosted", model=models.Event, field="host"
        )
