"""The money tests use the spending tests' staff (national and Durham finance) and vendor."""

from tests.money.spending.conftest import durham_finance, national_admin, treasurer, vendor

__all__ = ["durham_finance", "national_admin", "treasurer", "vendor"]
