from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "groundgame.volunteers"
    label = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        # The apps below this one let it take part in what they do without importing it.
        from groundgame.organizing import selectors as organizing_selectors
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services
        from groundgame.volunteers import data_requests, models, selectors

        # The key under which merges have always recorded the memberships they moved, so
        # that merges made before memberships had their own app can still be undone.
        people_services.person_merge_rows_register(
            "organizing_membership", model=models.Membership, unique_with=("org_unit",)
        )
        # Sign-ups and their follow-ups are the survivor's too (one follow-up per team).
        people_services.person_merge_rows_register(
            "volunteers_signups", model=models.SignupSubmission
        )
        people_services.person_merge_rows_register(
            "volunteers_referrals", model=models.SignupSubmission, field="referred_by"
        )
        people_services.person_merge_rows_register(
            "volunteers_follow_ups", model=models.FollowUp, unique_with=("org_unit",)
        )
        people_selectors.person_memberships_reader_register(
            "volunteers", selectors.membership_list_for_person
        )
        organizing_selectors.org_unit_volunteer_counter_register(
            "volunteers", selectors.membership_count_by_unit_path
        )
        people_selectors.person_export_part_register("volunteers", data_requests.person_part)
        people_selectors.person_activity_reader_register("volunteers", selectors.person_activity)
        people_services.person_eraser_register("volunteers", data_requests.person_erase)
