"""One module per ``kg`` subcommand: ``configure(parser)`` and ``run(args) -> int``."""
