"""LoadMemory: the bounded memory of one Neo4j load (no server needed)."""
import random

from kg.neo4j.store import LoadMemory


def fact(s, o, predicate="support"):
    return {"s": s, "o": o, "predicate": predicate, "negated": False}


def test_an_owned_fact_is_always_remembered_across_generations():
    """Whatever the memory drops, it never claims an entity whose facts it has lost: for every
    fact with an end it owns, it gives the id that fact was written with."""
    rng = random.Random(3)
    memory = LoadMemory(limit=60)
    written: dict[tuple, str] = {}
    created: list[str] = []
    owned_checks = 0
    for batch in range(400):
        new = [f"e{batch}-{k}" for k in range(rng.randint(0, 4))]
        memory.add_entities(new)
        created += new
        for _ in range(6):
            f = fact(rng.choice(created[-40:] or ["x"]), rng.choice(created or ["y"]))
            key = (f["s"], f["o"])
            if memory.owns(f):
                owned_checks += 1
                assert memory.fact_id(f) == written.get(key)
            if key not in written:
                written[key] = f"5:db:{len(written)}"
            memory.add_fact(f, written[key])
        assert len(memory) <= 60 + 6
    assert owned_checks > 500 and len(written) > 1000


def test_a_fact_met_again_outlives_the_generation_it_was_written_in():
    memory = LoadMemory(limit=10)
    memory.add_fact(fact("hub", "other"), "5:db:1")
    for k in range(40):  # fills and drops generations; the hub fact is met again every few entries
        memory.add_fact(fact(f"a{k}", f"b{k}"), f"5:db:{k + 2}")
        if k % 3 == 0:
            assert memory.fact_id(fact("hub", "other")) == "5:db:1"
    assert memory.fact_id(fact("a0", "b0")) is None  # met once, long ago: dropped
    assert memory.fact_id(fact("a39", "b39")) == "5:db:41"


def test_a_memory_with_limit_zero_records_nothing():
    memory = LoadMemory(limit=0)
    memory.add_entities(["a"])
    memory.add_fact(fact("a", "b"), "5:db:1")
    assert len(memory) == 0 and not memory.owns(fact("a", "b")) and memory.fact_id(fact("a", "b")) is None


def test_ids_without_the_common_prefix_are_kept_whole():
    memory = LoadMemory(limit=10)
    memory.add_fact(fact("a", "b"), "5:db:1")
    memory.add_fact(fact("c", "d"), "other-form")
    assert memory.fact_id(fact("a", "b")) == "5:db:1" and memory.fact_id(fact("c", "d")) == "other-form"
    memory.forget()
    assert len(memory) == 0 and memory.fact_id(fact("a", "b")) is None
