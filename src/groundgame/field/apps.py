from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "groundgame.field"
    label = "field"
    verbose_name = "Field"

    def ready(self) -> None:
        # A person's requests about their data are people's; this app's part takes part
        # through people's registries rather than by people importing it.
        from groundgame.field import data_requests, models, selectors
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_export_part_register("field", data_requests.person_part)
        people_selectors.person_activity_reader_register("field", selectors.person_activity)
        people_services.person_eraser_register("field", data_requests.person_erase)
        # Two records of one person merged: what canvassers recorded at either's door, and
        # the walk lists either carried, are the survivor's.
        people_services.person_merge_rows_register(
            "field_canvass_results", model=models.CanvassResult
        )
        people_services.person_merge_rows_register(
            "field_walk_lists", model=models.WalkList, field="canvasser"
        )
