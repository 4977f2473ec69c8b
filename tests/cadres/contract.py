"""The shared contract for records kept on one cadre (a `cadre` foreign key)."""

from tests import factories as f
from tests.contract import ModelContract


class CadreChildContract(ModelContract):
    def make(self, unit, **kwargs):
        kwargs.setdefault("cadre", f.CadreFactory(unit=unit))
        return self.factory(**kwargs)

    def cadre_in(self, unit):
        return f.CadreFactory(unit=unit).pk

    def filter_cases(self, unit):
        mine = self.make(unit)
        yield {"cadre": mine.cadre_id}, mine, self.make(unit)
