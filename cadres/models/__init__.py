"""The cadres app's models, one module per aggregate: the cadre record and what is kept on it
(records), and the young-cadre pool (pool)."""

from .pool import *  # noqa: F403
from .records import *  # noqa: F403
