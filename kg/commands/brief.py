"""Write a Markdown brief of the build in DIR: per community, its top entities, relations and evidence sentences.

No language model: the communities are found by Louvain (seeded), the entities ranked by
PageRank, the relations by how many sentences state them and the sentences by how many
of the community's central facts they state; each quote carries its document and date.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError, writing
from ._common import DEFAULT_BUILD
from .view import check_dates

BRIEF = "brief.md"


def configure(parser: argparse.ArgumentParser) -> None:
    """Options of ``kg brief``."""
    from ..brief import MAX_COMMUNITIES, MIN_ENTITIES

    parser.add_argument("--out", metavar="DIR", default=DEFAULT_BUILD,
                        help=f"the build directory to read (written by kg build; default {DEFAULT_BUILD})")
    parser.add_argument("-o", "--output", metavar="FILE.md",
                        help=f"where to write the brief (default DIR/{BRIEF}; - for stdout)")
    parser.add_argument("--communities", type=int, default=MAX_COMMUNITIES, metavar="N",
                        help=f"at most N communities, largest first (default {MAX_COMMUNITIES})")
    parser.add_argument("--min-entities", type=int, default=MIN_ENTITIES, metavar="N",
                        help=f"leave out communities of fewer than N entities (default {MIN_ENTITIES})")
    parser.add_argument("--since", metavar="DATE", help="only facts dated on or after DATE (2021, 2021-08 or 2021-08-28)")
    parser.add_argument("--until", metavar="DATE", help="only facts dated on or before DATE")
    parser.add_argument("--title", help="the brief's title (default: Brief of DIR)")


def run(args: argparse.Namespace) -> int:
    """Read the graph, brief its communities, write the Markdown."""
    from .. import analytics
    from ..build import read_build_graph
    from ..brief import brief_markdown, community_briefs, write_brief

    if args.communities < 1 or args.min_entities < 1:
        raise UsageError("--communities and --min-entities must be 1 or more")
    check_dates(args)
    g = read_build_graph(args.out)
    g = analytics.between(g, args.since, args.until)
    briefs = community_briefs(g, max_communities=args.communities, min_entities=args.min_entities)
    title = args.title or f"Brief of {Path(args.out).name or args.out}"
    output = args.output or str(Path(args.out) / BRIEF)
    if output == "-":
        sys.stdout.write(brief_markdown(briefs, title=title))
        target = "stdout"
    else:
        with writing(output):
            target = write_brief(briefs, output, title=title)
    n, e = g.number_of_nodes(), g.number_of_edges()
    print(f"kg brief: {len(briefs)} communit{'y' if len(briefs) == 1 else 'ies'} of {n:,} entit{'y' if n == 1 else 'ies'}, "
          f"{e:,} fact{'' if e == 1 else 's'} -> {target}", file=sys.stderr)
    return 0
