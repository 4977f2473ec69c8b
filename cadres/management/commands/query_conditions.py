"""Print the combined-query conditions (orgportal.query registry) as the Markdown table of docs/query.md."""

from django.core.management.base import BaseCommand

from cadres.models import Cadre
from orgportal import query


def _value(spec) -> str:
    if spec is None:
        return "—"
    described = spec.describe()
    kind = described["type"]
    if kind == "choices":
        shown = "、".join(f"`{code}` {label}" for code, label in described["choices"][:12])
        more = " …" if len(described["choices"]) > 12 else ""
        return f"代码列表：{shown}{more}" if shown else "代码列表（运行时读取）"
    if kind == "range":
        return f'`{{"min": …, "max": …}}`（{described["bound"]}）'
    if kind == "fields":
        return "对象：" + "；".join(
            f"`{name}`{'*' if p['required'] else ''} {p['label']}（{p['type']}）"
            for name, p in described["params"].items()
        )
    if kind == "integer":
        return f"整数 {described['min']}–{described['max']}"
    return {"text": "文字", "boolean": "true/false", "units": "单位编号列表"}.get(kind, kind)


class Command(BaseCommand):
    help = "列出组合查询的全部条件（Markdown 表格，用于 docs/query.md）"

    def handle(self, *args, **options):
        self.stdout.write("| 条件 `field` | 名称 | 分组 | 来自 | 运算符 `op` | 值 `value` |")
        self.stdout.write("|---|---|---|---|---|---|")
        for condition in query.conditions_for(Cadre).values():
            ops = "、".join(f"`{op}`" for op in condition.operators)
            specs = {id(s): s for s in condition.operators.values() if s is not None}
            value = "；".join(_value(s) for s in specs.values()) or "—"
            label = str(condition.label) + ("（敏感）" if condition.sensitive else "")
            self.stdout.write(
                f"| `{condition.code}` | {label} | {condition.group} | {condition.app} | {ops} | {value} |"
            )
