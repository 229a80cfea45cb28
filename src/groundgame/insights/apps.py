from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "groundgame.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # A person's export of their data is people's; the outcomes of message tests take
        # part through people's registry rather than by people importing this app.
        from groundgame.insights import data_requests
        from groundgame.people import selectors as people_selectors

        people_selectors.person_export_part_register("insights", data_requests.person_part)
