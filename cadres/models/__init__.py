"""The cadres app's models, one module per aggregate: the cadre record and what is kept on it
(records), the young-cadre pool (pool) and appointment cases (appointments)."""

from .appointments import *  # noqa: F403
from .pool import *  # noqa: F403
from .queries import *  # noqa: F403
from .records import *  # noqa: F403
from .teams import *  # noqa: F403
