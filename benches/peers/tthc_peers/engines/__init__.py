"""The peer engines: the same tables as tm.report, one module per library."""
