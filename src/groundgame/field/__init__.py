"""The field program: turfs and walk lists, the offline canvassing app and its sync, canvass
results and their quality checks, contact goals and organizer reporting, materials."""
