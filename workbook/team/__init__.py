"""The team's month: roll the reps' workbooks up into one, split one per rep, roll over to next month.

- :mod:`.files`: which files a merge reads (files, folders, globs), each once, never the output;
- :mod:`.load`: every input read and checked (in parallel), problems kept per file;
- :mod:`.merge`: one workbook of the contract from many, refusing conflicts and disagreeing settings;
- :mod:`.report`: what a merge found, as text or JSON;
- :mod:`.split`: one workbook per rep (and one for the team's own rows) from any workbook;
- :mod:`.rollover`: next month's workbook from this month's.
"""
