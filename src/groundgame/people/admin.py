"""People are deliberately not in the raw-data admin: the admin has neither the org-unit scope
nor the read log that personal data needs. Staff open people through the People pages and the
API, which enforce both."""
