"""The insights app's API: each part of the app adds its routes here."""

from ninja import Router

from groundgame.insights import lift_api

router = Router(tags=["insights"])
router.add_router("", lift_api.router)
