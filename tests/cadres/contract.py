"""The shared contract for records kept on one cadre (a `cadre` foreign key)."""

import datetime

from tests import factories as f
from tests.contract import ModelContract


class CadreChildContract(ModelContract):
    def make(self, unit, **kwargs):
        kwargs.setdefault("cadre", f.CadreFactory(unit=unit))
        return self.factory(**kwargs)

    def cadre_in(self, unit):
        """A cadre for the create payloads, whose fixed dates (2023, 2025 …) must fall in their
        career: a drawn cadre may have started work last year, so the career here is fixed."""
        return f.CadreFactory(
            unit=unit,
            birth_date=datetime.date(1975, 5, 1),
            id_number="",
            work_start_date=datetime.date(1997, 7, 1),
            party_join_date=None,
            post_since=datetime.date(2015, 1, 1),
        ).pk

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"cadre": mine.cadre_id}, mine, self.make(unit)
