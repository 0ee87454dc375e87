"""Run a pipeline file: which inputs, which model, which extraction options, which outputs."""
from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path

from ..errors import UsageError, UserError
from ..nlp import DEFAULT_MODEL
from .build import run_build
from .extract import extraction_options

#: Sections and keys a pipeline file may use, with their defaults.
SCHEMA = {
    "pipeline": {"name": "pipeline", "inputs": [], "out": "kg-out", "format": "auto"},
    "model": {"name": DEFAULT_MODEL, "workers": 1},
    "extract": {"min_confidence": 0.0},
    "neo4j": {"load": "auto", "uri": ""},
    "views": {"enabled": True, "max_nodes": 300, "by": "pagerank"},
}


def configure(p: argparse.ArgumentParser) -> None:
    """Options of ``kg run``."""
    p.add_argument("pipeline", metavar="PIPELINE.toml", help="pipeline file (e.g. pipelines/news.toml)")
    p.add_argument("--out", help="override the pipeline's output directory")


def read_pipeline(path: str | os.PathLike) -> dict:
    """A pipeline file's settings with defaults filled in; paths resolved against the file's folder."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"no pipeline file {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML ({exc})") from None
    settings = {}
    for section, defaults in SCHEMA.items():
        given = raw.get(section, {})
        unknown = set(given) - set(defaults)
        if unknown:
            raise UsageError(f"{path}: unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")
        settings[section] = {**defaults, **given}
    unknown_sections = set(raw) - set(SCHEMA)
    if unknown_sections:
        raise UsageError(f"{path}: unknown section(s): {', '.join(sorted(unknown_sections))}")
    base = path.resolve().parent
    p = settings["pipeline"]
    if not p["inputs"]:
        raise UsageError(f"{path}: [pipeline] inputs is empty")
    p["inputs"] = [i if i == "-" else str((base / i).resolve()) for i in p["inputs"]]
    p["out"] = str((base / p["out"]).resolve())
    return settings


def run(args) -> int:
    """``kg run``: a pipeline file is ``kg build`` with its options written down."""
    s = read_pipeline(args.pipeline)
    neo = s["neo4j"]
    uri = neo["uri"] or os.environ.get("NEO4J_URI") or None
    if neo["load"] is False or neo["load"] == "never":
        uri = None
    elif neo["load"] is True and not uri:
        raise UserError("the pipeline asks to load Neo4j but no uri is set (NEO4J_URI or [neo4j] uri)")
    workers = int(s["model"]["workers"])
    options = extraction_options(workers=workers, min_confidence=float(s["extract"]["min_confidence"]))
    config = None
    if uri:
        from ..neo4j.config import config_from_env

        config = config_from_env(uri=uri)
    return run_build(s["pipeline"]["inputs"], out=args.out or s["pipeline"]["out"], model=s["model"]["name"],
                     workers=workers, fmt=s["pipeline"]["format"], options=options, quiet=args.quiet, neo4j=config,
                     views=bool(s["views"]["enabled"]), view_max_nodes=int(s["views"]["max_nodes"]),
                     view_by=s["views"]["by"], label=f"run {s['pipeline']['name']}")
