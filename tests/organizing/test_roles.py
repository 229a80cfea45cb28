"""Giving and taking staff roles: who may, and that each change is audited."""

from __future__ import annotations

import pytest

from groundgame.audit import selectors as audit
from groundgame.audit.selectors import AuditFilter
from groundgame.core.errors import PermissionDenied
from groundgame.organizing import selectors
from groundgame.organizing import services as organizing
from groundgame.volunteers import services as volunteers_services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_state_director_gives_an_organizer_role_in_a_region_of_their_state(campaign, make_staff):
    director = make_staff("dana", role="director", unit=campaign.nc)
    user, unit = organizing.staff_onboard(
        actor=director,
        username="omar",
        password=PASSWORD,
        role="organizer",
        org_unit=campaign.triangle,
    )
    assert unit == campaign.triangle
    assert selectors.staff_scope(user).person_paths == (campaign.triangle.path,)
    event = audit.audit_event_list(AuditFilter(action="staff_role.grant", actor="dana")).get()
    assert "omar is Organizer of Triangle" in event.summary


def test_an_organizer_cannot_give_roles_and_nothing_is_written(campaign, make_staff):
    organizer = make_staff("olivia", role="organizer", unit=campaign.nc)
    with pytest.raises(PermissionDenied) as caught:
        organizing.staff_onboard(
            actor=organizer,
            username="omar",
            password=PASSWORD,
            role="organizer",
            org_unit=campaign.triangle,
        )
    assert caught.value.code == "not_manager"
    # The account it would have created is not there either.
    assert selectors.staff_user_by_username("omar") is None


def test_a_director_cannot_make_admins_or_reach_outside_their_unit(campaign, make_staff):
    director = make_staff("dana", role="director", unit=campaign.triangle)
    target = make_staff("tim")
    with pytest.raises(PermissionDenied):
        organizing.staff_role_grant(
            actor=director, user=target, org_unit=campaign.durham, role="admin"
        )
    with pytest.raises(PermissionDenied):
        organizing.staff_role_grant(
            actor=director, user=target, org_unit=campaign.piedmont, role="organizer"
        )
    organizing.staff_role_grant(
        actor=director, user=target, org_unit=campaign.durham, role="organizer"
    )


def test_revoking_a_role_removes_access_and_is_audited(campaign, make_staff, client_for):
    admin = make_staff("ada", role="admin", unit=campaign.national)
    organizer = make_staff("olivia", role="organizer", unit=campaign.triangle)
    client = client_for(organizer)
    assert client.get(f"/people/{campaign.alice.pk}/").status_code == 200
    grant = selectors.staff_scope(organizer)
    (role,) = selectors.org_unit_detail(campaign.triangle.pk).staff
    organizing.staff_role_revoke(actor=admin, grant=role)
    assert client.get(f"/people/{campaign.alice.pk}/").status_code == 403
    event = audit.audit_event_list(AuditFilter(action="staff_role.revoke")).get()
    assert event.actor_label == "ada"
    assert event.changes["role"] == ["organizer", None]
    assert grant.person_paths  # the scope computed before the change did cover the region


def test_only_a_superuser_creates_superusers(campaign, make_staff):
    admin = make_staff("ada", role="admin", unit=campaign.national)
    with pytest.raises(PermissionDenied):
        organizing.staff_onboard(
            actor=admin, username="root2", password=PASSWORD, role="admin", superuser=True
        )


def test_unit_detail_lists_the_chain_children_staff_and_coverage(campaign, make_staff):
    make_staff("olivia", role="organizer", unit=campaign.triangle)
    detail = selectors.org_unit_detail(campaign.triangle.pk)
    assert detail is not None
    assert [u.name for u in detail.ancestors] == ["National", "North Carolina"]
    assert [c.unit.name for c in detail.children] == ["Durham", "Wake"]
    assert [s.user.username for s in detail.staff] == ["olivia"]
    assert selectors.org_unit_detail(campaign.durham.pk).counties == ["37063"]
    assert selectors.org_unit_detail(999_999) is None


def test_unit_page_lets_a_director_add_staff_and_names_bad_fields(campaign, make_staff, client_for):
    client = client_for(make_staff("dana", role="director", unit=campaign.nc))
    url = f"/organizing/units/{campaign.triangle.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Add a staff member" in page.content

    weak = client.post(
        url,
        {"action": "new", "new-username": "omar", "new-password": "short", "new-role": "organizer"},
    )
    assert weak.status_code == 400
    assert b"too short" in weak.content
    assert selectors.staff_user_by_username("omar") is None

    made = client.post(
        url,
        {
            "action": "new",
            "new-username": "omar",
            "new-password": PASSWORD,
            "new-role": "organizer",
        },
        follow=True,
    )
    assert made.status_code == 200
    assert b"Created omar." in made.content
    assert b"omar" in made.content

    unknown = client.post(
        url, {"action": "grant", "grant-username": "ghost", "grant-role": "organizer"}
    )
    assert unknown.status_code == 400
    assert b"No staff account has that username." in unknown.content


def test_unit_page_refuses_role_changes_from_an_organizer(campaign, make_staff, client_for):
    organizer = make_staff("olivia", role="organizer", unit=campaign.triangle)
    make_staff("tim", role="organizer", unit=campaign.triangle)
    client = client_for(organizer)
    url = f"/organizing/units/{campaign.triangle.pk}/"
    page = client.get(url)
    assert b"Add a staff member" not in page.content
    (grant, _) = selectors.org_unit_detail(campaign.triangle.pk).staff
    refused = client.post(url, {"action": "revoke", "grant_id": grant.pk})
    assert refused.status_code == 403
    assert len(selectors.org_unit_detail(campaign.triangle.pk).staff) == 2
    assert client.get("/organizing/units/999999/").status_code == 404
    assert client.post(url, {"action": "explode"}).status_code == 400


def test_unit_detail_counts_volunteers_below_each_child(campaign):
    volunteers_services.membership_bulk_create(
        actor=None,
        memberships=[
            (campaign.alice.pk, campaign.durham.pk, "volunteer"),
            (campaign.bob.pk, campaign.guilford.pk, "leader"),
        ],
        source="test",
    )
    detail = selectors.org_unit_detail(campaign.nc.pk)
    assert {c.unit.name: c.volunteers for c in detail.children} == {
        "Piedmont Triad": 1,
        "Triangle": 1,
    }
    assert detail.volunteers == 2
