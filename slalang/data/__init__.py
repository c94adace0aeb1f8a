"""Stage 3, data: vendor exports and tables loaded as canonical data sets through profiles.

:mod:`~slalang.data.profiles` reads the YAML profiles (bundled ones in ``profiles/``) into
the types of :mod:`~slalang.data.profile_model`,
:mod:`~slalang.data.readers` reads files, :mod:`~slalang.data.convert` applies a profile in SQL,
:mod:`~slalang.data.parquet_view` serves Parquet files without a copy, and
:mod:`~slalang.data.load` puts it together, with malformed rows in :mod:`~slalang.data.report`.
"""
