"""Where a ``kg load`` spends its time, for ``bench/load.py --profile``.

Wraps the loader's seams (:func:`kg.neo4j.store.rows_for_triples`, ``_retrying`` and
``_run_statements``) for the duration of one load and adds up the seconds of every step and
every Cypher statement, per tenth of the input, so a step whose cost grows with the database
stands out.  Chosen batches are sent with ``PROFILE`` and their plans summed by operator
(database hits and rows): the server's side of the same statements.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from contextlib import contextmanager

from kg.neo4j import store

#: Every Cypher statement of the loader by its constant's name.
STATEMENTS = {value: name for name, value in vars(store).items()
              if name.isupper() and isinstance(value, str) and "$rows" in value}
STEPS = {"_entity_step": "entities", "_document_step": "documents", "_fact_step": "facts"}


def statement_name(cypher: str) -> str:
    """The loader constant a statement comes from (a per-type copy names its generic one)."""
    cypher = cypher.removeprefix("PROFILE ")
    return STATEMENTS.get(cypher) or STATEMENTS.get(re.sub(r"`[A-Z][A-Z0-9_]*`", "$(row.type)", cypher), "other")


def step_name(step, arg) -> str:
    """``entities``, ``documents``, ``facts`` or ``facts: STATEMENT`` for one call of ``_retrying``."""
    if step.__name__ in STEPS:
        return STEPS[step.__name__]
    if step.__name__ != "_run_statements":
        return step.__name__.strip("_").removesuffix("_step").replace("_", " ")
    names = [statement_name(cypher) for cypher, rows in arg if rows]
    return "facts: " + "+".join(dict.fromkeys(names))


class LoadProfile:
    """Seconds per step and statement in ``parts`` slices of a load of ``triples``; plans of ``profiled`` batches."""

    def __init__(self, triples: int, batch_size: int, *, parts: int = 10, profiled: tuple[int, ...] = ()):
        self.triples, self.batch_size, self.parts = triples, batch_size, parts
        self.profiled = set(profiled)
        self.batch = -1
        self.seconds: list[dict[str, float]] = [defaultdict(float) for _ in range(parts)]
        self.plans: dict[int, dict[str, dict]] = {}

    @property
    def part(self) -> int:
        return min(self.parts - 1, max(0, self.batch) * self.batch_size * self.parts // self.triples)

    @contextmanager
    def installed(self):
        """Patch the loader's seams for the duration of the block."""
        originals = store.rows_for_triples, store._retrying, store._run_statements
        rows_for_triples, retrying, run_statements = originals

        def rows(triples):
            self.batch += 1
            start = time.perf_counter()
            out = rows_for_triples(triples)
            self.seconds[self.part]["rows (client)"] += time.perf_counter() - start
            return out

        def step(conn, fn, arg, **kwargs):
            start = time.perf_counter()
            try:
                return retrying(conn, fn, arg, **kwargs)
            finally:
                self.seconds[self.part]["step " + step_name(fn, arg)] += time.perf_counter() - start

        def statements(tx, items):
            counters, values = dict.fromkeys(store.COUNTERS, 0), []
            for cypher, batch_rows in items:
                if not batch_rows:
                    continue
                name = statement_name(cypher)
                start = time.perf_counter()
                target = _ProfilingTx(tx, self._plan_sink(name)) if self.batch in self.profiled else tx
                c, v = run_statements(target, [(cypher, batch_rows)])
                self.seconds[self.part]["  " + name] += time.perf_counter() - start
                for key in counters:
                    counters[key] += c[key]
                values.extend(v)
            return counters, values

        store.rows_for_triples, store._retrying, store._run_statements = rows, step, statements
        try:
            yield self
        finally:
            store.rows_for_triples, store._retrying, store._run_statements = originals

    def _plan_sink(self, name: str):
        def sink(plan) -> None:
            summary = self.plans.setdefault(self.batch, {}).setdefault(name, {"db_hits": 0, "operators": {}})
            for op in _operators(plan):
                summary["db_hits"] += op["dbHits"]
                totals = summary["operators"].setdefault(op["operatorType"].split("@")[0], [0, 0])
                totals[0] += op["dbHits"]
                totals[1] += op["rows"]
        return sink

    def report(self) -> dict:
        """Plain data: ``parts`` (seconds per name, per slice) and ``plans`` (per profiled batch)."""
        return {"parts": [{k: round(v, 3) for k, v in p.items()} for p in self.seconds],
                "plans": {str(b): p for b, p in sorted(self.plans.items())}}


def _operators(plan) -> list[dict]:
    """The operators of a PROFILE plan, depth first."""
    plan = plan if isinstance(plan, dict) else {}
    out = [{"operatorType": plan.get("operatorType", "?"), "dbHits": plan.get("dbHits", 0), "rows": plan.get("rows", 0)}]
    for child in plan.get("children", []):
        out.extend(_operators(child))
    return out


class _ProfilingTx:
    """A transaction whose statements run with ``PROFILE``; each plan goes to ``sink`` when consumed."""

    def __init__(self, tx, sink):
        self.tx, self.sink = tx, sink

    def run(self, cypher, parameters=None, **params):
        return _ProfiledResult(self.tx.run("PROFILE " + cypher, parameters, **params), self.sink)


class _ProfiledResult:
    def __init__(self, result, sink):
        self.result, self.sink = result, sink

    def __iter__(self):
        return iter(self.result)

    def consume(self):
        summary = self.result.consume()
        self.sink(summary.profile)
        return summary


def format_report(report: dict, triples: int) -> list[str]:
    """Lines of a table: seconds per step and statement, one column per slice of the load."""
    names = list(dict.fromkeys(name for part in report["parts"] for name in part))
    parts = len(report["parts"])
    head = "  ".join(f"{(i + 1) * triples // parts // 1000:>6,}k" for i in range(parts))
    lines = ["seconds per tenth of the load (column: the tenth ending at N triples)", f"{'':<32}{head}"]
    for name in names:
        lines.append(f"{name:<32}" + "  ".join(f"{part.get(name, 0):7.1f}" for part in report["parts"]))
    for batch, plans in report["plans"].items():
        lines.append(f"PROFILE of batch {int(batch) + 1}: database hits (rows) by operator")
        for name, plan in plans.items():
            top = sorted(plan["operators"].items(), key=lambda kv: -kv[1][0])[:5]
            lines.append(f"  {name:<22} {plan['db_hits']:>10,}  " + ", ".join(f"{op} {h:,} ({r:,})" for op, (h, r) in top))
    return lines
