"""LoadMemory: what one Neo4j load has written itself, in a temporary SQLite file (no server needed)."""
import random
from pathlib import Path

from kg.neo4j.memory import LoadMemory


def fact(s, o, predicate="support", negated=False):
    return {"s": s, "o": o, "predicate": predicate, "negated": negated}


def test_it_remembers_every_fact_and_entity_of_a_long_load_exactly():
    """Across many batches, every entity the load created is owned, every fact it wrote gives
    back the id it was written with, and nothing else is claimed."""
    rng = random.Random(3)
    written: dict[tuple, str] = {}
    created: list[str] = []
    with LoadMemory() as memory:
        for batch in range(200):
            new = [f"e{batch}-{k}" for k in range(rng.randint(0, 4))]
            memory.add_entities(new)
            created += new
            facts = [fact(rng.choice(created or ["x"]), rng.choice(created + ["old"]), negated=rng.random() < 0.1)
                     for _ in range(30)]
            keys = [(f["s"], f["o"], f["negated"]) for f in facts]
            assert memory.fact_ids(facts) == [written.get(k) for k in keys]
            assert memory.owned(facts) == [f["s"] in created or f["o"] in created for f in facts]
            for k in keys:
                written.setdefault(k, f"5:db:{len(written)}")
            memory.add_facts(zip(facts, [written[k] for k in keys]))
        assert len(written) > 3000
        assert memory.owned([fact("never", "seen")]) == [False]
        assert memory.fact_ids([fact("e0-0", "e0-1", predicate="other")]) == [None]


def test_ids_without_the_common_prefix_are_kept_whole():
    with LoadMemory() as memory:
        memory.add_facts([(fact("a", "b"), "5:db:1"), (fact("c", "d"), "other-form"), (fact("e", "f"), "6:else:2")])
        assert memory.fact_ids([fact("a", "b"), fact("c", "d"), fact("e", "f")]) == ["5:db:1", "other-form", "6:else:2"]


def test_at_its_limit_it_empties_and_starts_again():
    with LoadMemory(limit=10) as memory:
        memory.add_entities([f"e{k}" for k in range(8)])
        memory.add_facts([(fact("e0", "e1"), "5:db:1")])
        assert len(memory) == 9 and memory.owned([fact("e0", "x")]) == [True]
        memory.add_facts([(fact("e2", "e3"), "5:db:2"), (fact("e4", "e5"), "5:db:3")])  # 11 > 10: emptied first
        assert len(memory) == 2 and memory.owned([fact("e0", "x")]) == [False]
        assert memory.fact_ids([fact("e0", "e1"), fact("e2", "e3")]) == [None, "5:db:2"]
        memory.forget()
        assert len(memory) == 0 and memory.fact_ids([fact("e2", "e3")]) == [None]


def test_a_memory_with_limit_zero_records_nothing_and_makes_no_file():
    with LoadMemory(limit=0) as memory:
        memory.add_entities(["a"])
        memory.add_facts([(fact("a", "b"), "5:db:1")])
        assert len(memory) == 0 and memory.owned([fact("a", "b")]) == [False] and memory.fact_ids([fact("a", "b")]) == [None]
        assert memory._dir is None


def test_closing_removes_its_file():
    memory = LoadMemory()
    memory.add_entities(["a"])
    directory = Path(memory._dir.name)
    assert (directory / "memory.sqlite").exists()
    memory.close()
    assert not directory.exists()
