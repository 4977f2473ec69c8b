"""The admin home as a dashboard, and the charts page: the kernel's registry, counting and views.

Each app declares, in its own `dashboard.py` (loaded from settings.ORGPORTAL_APPS, as the URLs
are), what it shows:

    register(
        "干监科",
        figures=[Figure("open_warnings", _("未解除的预警"), CadreWarning,
                        lambda rows, ctx: rows.filter(closed_on__isnull=True),
                        query="closed_on__isempty=1", by="level")],
        charts=[Chart("pool_ages", _("年轻干部库年龄结构"), perms=(...), data=pool_ages)],
    )

A figure is the number of records of `model` in the user's jurisdiction that `subset` keeps, linked to
the model's admin list with `query` (the list filters that show those very rows). The user sees the
figures of the models they may view (and `perms`), under their section's heading. Counting is one
aggregate query per model (a filtered COUNT per figure) and one grouped query per figure broken down
`by` a field: the number of queries depends on what is declared, never on the number of records.

A chart's `data(request)` returns a ChartData (orgportal.charts) — counted by the app's report
functions, scoped to the user — drawn as SVG, shown with its table, and exported to Excel through
the roster engine's `export_table` (logged like every export).
"""

import datetime
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access, charts
from . import rosters as roster_engine
from .sections import ALL_SECTIONS


@dataclass(frozen=True)
class Context:
    """What a figure's subset and query may depend on."""

    request: object
    user: object
    today: datetime.date


@dataclass(frozen=True)
class Figure:
    """A count on the dashboard, linking to the admin list that shows the rows counted."""

    key: str
    title: str
    model: type[models.Model]
    subset: Callable[[models.QuerySet, Context], models.QuerySet]
    query: str | Callable[[Context], str] = ""
    perms: tuple[str, ...] = ()  # besides the model's view permission
    by: str = ""  # a field with choices: one figure per value, each linking with `by__exact=`
    url: str | Callable[[Context], str] = ""  # another page than the model's changelist (a URL name)
    attention: bool = True  # a non-zero count asks for someone's attention (shown highlighted)


@dataclass(frozen=True)
class Chart:
    """A chart on the charts page: `data(request)` counts what the user may see."""

    key: str
    title: str
    data: Callable[[object], charts.ChartData]
    perms: tuple[str, ...] = ()
    section: str = ""


SECTIONS: dict[str, dict[str, list]] = {}  # section → {"figures": [...], "charts": [...]}
CHARTS: dict[str, Chart] = {}
_loaded = False


def register(section: str, *, figures=(), charts=()) -> None:
    """Declare a section's figures and charts."""
    entry = SECTIONS.setdefault(section, {"figures": [], "charts": []})
    entry["figures"] += list(figures)
    for chart in charts:
        chart = Chart(chart.key, chart.title, chart.data, chart.perms, section)
        CHARTS[chart.key] = chart
        entry["charts"].append(chart)


def load() -> None:
    """Import each project app's `dashboard` module once (the kernel names no app)."""
    global _loaded
    if _loaded:
        return
    for app in settings.ORGPORTAL_APPS:
        if app in settings.INSTALLED_APPS and find_spec(f"{app}.dashboard"):
            import_module(f"{app}.dashboard")
    _loaded = True


# --- the figures -----------------------------------------------------------------------------------
def _view_perm(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def visible(figure: Figure, user) -> bool:
    return user.has_perms((_view_perm(figure.model), *figure.perms))


def _link(figure: Figure, ctx: Context, extra: str = "") -> str:
    target = figure.url(ctx) if callable(figure.url) else figure.url
    meta = figure.model._meta
    try:
        url = reverse(target or f"admin:{meta.app_label}_{meta.model_name}_changelist")
    except NoReverseMatch:
        return ""
    query = figure.query(ctx) if callable(figure.query) else figure.query
    query = "&".join(part for part in (query, extra) if part)
    return f"{url}?{query}" if query else url


def figures(request, *, today: datetime.date | None = None) -> list[dict]:
    """The sections the user sees, each with its figures counted: [{title, figures: [{title, count,
    url, parts}]}]. One query per model counted, one per broken-down figure."""
    load()
    user = request.user
    ctx = Context(request, user, today or timezone.localdate())
    order = {name: i for i, name in enumerate(ALL_SECTIONS)}
    shown = [
        (section, [f for f in entry["figures"] if visible(f, user)])
        for section, entry in sorted(SECTIONS.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    by_model: dict[type[models.Model], list[Figure]] = {}
    for _section, items in shown:
        for figure in items:
            by_model.setdefault(figure.model, []).append(figure)
    counts: dict[str, int] = {}
    parts: dict[str, dict] = {}
    for model, items in by_model.items():
        base = access.scope(model._default_manager.all(), user).order_by()
        counted = base.aggregate(
            **{
                f.key: Count("pk", filter=Q(pk__in=f.subset(base, ctx).order_by().values("pk")))
                for f in items
            }
        )
        counts.update(counted)
        for figure in items:
            if figure.by:
                rows = figure.subset(base, ctx).order_by().values(figure.by).annotate(n=Count("pk"))
                parts[figure.key] = {row[figure.by]: row["n"] for row in rows}
    sections = []
    for section, items in shown:
        if not items:
            continue
        tiles = []
        for figure in items:
            tile = {
                "key": figure.key,
                "title": figure.title,
                "count": counts.get(figure.key, 0),
                "url": _link(figure, ctx),
                "attention": figure.attention,
                "parts": [],
            }
            if figure.by:
                field = figure.model._meta.get_field(figure.by)
                found = parts.get(figure.key, {})
                tile["parts"] = [
                    {
                        "label": label,
                        "code": code,
                        "count": found.get(code, 0),
                        "url": _link(figure, ctx, f"{figure.by}__exact={code}"),
                    }
                    for code, label in field.choices
                ]
            tiles.append(tile)
        sections.append({"title": section, "figures": tiles})
    return sections


# --- the charts ------------------------------------------------------------------------------------
def visible_charts(user) -> list[Chart]:
    load()
    order = {name: i for i, name in enumerate(ALL_SECTIONS)}
    shown = [chart for chart in CHARTS.values() if user.has_perms(chart.perms)]
    return sorted(shown, key=lambda chart: order.get(chart.section, len(order)))


def _chart(request, key: str) -> Chart:
    load()
    chart = CHARTS.get(key)
    if chart is None:
        raise Http404
    if not request.user.has_perms(chart.perms):
        raise PermissionDenied
    return chart


def drawn(chart: Chart, request) -> dict:
    data = chart.data(request)
    headers, rows = charts.table(data)
    return {
        "key": chart.key,
        "title": chart.title,
        "section": chart.section,
        "svg": charts.svg(data, str(chart.title)),
        "headers": headers,
        "rows": rows,
        "note": data.note,
        "extra": data.extra,
        "url": reverse("admin:orgportal_chart", args=[chart.key]),
        "export_url": reverse("admin:orgportal_chart_xlsx", args=[chart.key]),
    }


def index_context(request) -> dict:
    """What the admin home adds to Django's: the dashboard's sections and the charts page link."""
    return {
        "dashboard": figures(request),
        "charts_url": reverse("admin:orgportal_charts") if visible_charts(request.user) else "",
    }


def charts_view(admin_site):
    def view(request):
        shown = visible_charts(request.user)
        if not shown:
            raise PermissionDenied
        return TemplateResponse(
            request,
            "admin/orgportal/charts.html",
            {
                **admin_site.each_context(request),
                "title": _("统计图表"),
                "charts": [drawn(chart, request) for chart in shown],
            },
        )

    return view


def chart_view(admin_site):
    def view(request, key):
        chart = _chart(request, key)
        return TemplateResponse(
            request,
            "admin/orgportal/charts.html",
            {
                **admin_site.each_context(request),
                "title": chart.title,
                "charts": [drawn(chart, request)],
                "single": True,
            },
        )

    return view


def chart_xlsx_view(admin_site):
    def view(request, key):
        chart = _chart(request, key)
        headers, rows = charts.table(chart.data(request))
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
        roster_engine.export_table(
            chart.title, [str(h) for h in headers], rows, request.user, handle, what=f"chart:{key}"
        )
        handle.seek(0)
        filename = f"{chart.title}_{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=filename)

    return view


def admin_urls(admin_site) -> list:
    """The charts pages, under the admin site (each behind its login)."""
    wrap = admin_site.admin_view
    return [
        path("dashboard/charts/", wrap(charts_view(admin_site)), name="orgportal_charts"),
        path("dashboard/charts/<str:key>/", wrap(chart_view(admin_site)), name="orgportal_chart"),
        path(
            "dashboard/charts/<str:key>/xlsx/", wrap(chart_xlsx_view(admin_site)), name="orgportal_chart_xlsx"
        ),
    ]
