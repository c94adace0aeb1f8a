"""Synthetic data: writing a table to Parquet, CSV, TSV or JSON Lines, by the file's suffix.

Text formats print timestamps as ``YYYY-MM-DD HH:MM:SS``. JSON Lines is written a batch at
a time from Arrow string kernels rather than row by row, so millions of rows take seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = (".parquet", ".csv", ".tsv", ".jsonl")
"""The file types :func:`write` knows, by suffix."""


def write(table: pa.Table, path: str | Path) -> None:
    """Write a table to a file whose format follows from its suffix.

    Missing parent folders are created. ``.parquet``; ``.csv`` and ``.tsv`` with a header
    line and timestamps as ``YYYY-MM-DD HH:MM:SS`` (to the second), nulls as empty fields;
    ``.jsonl`` with one JSON object per line, timestamps as the same text and nulls as
    ``null``.

    Raises:
        ValueError: for any other suffix, or a column type JSON Lines cannot hold.
        OSError: if the file cannot be written.
    """
    path = Path(path)
    suffix = file_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        pq.write_table(table, path)
    elif suffix in (".csv", ".tsv"):
        delimiter = "," if suffix == ".csv" else "\t"
        options = pacsv.WriteOptions(include_header=True, delimiter=delimiter)
        pacsv.write_csv(_text_timestamps(table), path, write_options=options)
    else:
        _write_jsonl(table, path)


def file_suffix(path: Path) -> str:
    """The lower-case suffix of ``path``; ValueError if it is not one of :data:`FORMATS`."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown file type {suffix or '(none)'}: use {', '.join(FORMATS)}")
    return suffix


def _timestamp_text(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    seconds = column.cast(pa.timestamp("s", tz=column.type.tz), safe=False)
    if column.type.tz is None:  # the cast prints naive times as YYYY-MM-DD HH:MM:SS, fast
        return seconds.cast(pa.string())
    return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")


def _text_timestamps(table: pa.Table) -> pa.Table:
    for k, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(k, field.name, _timestamp_text(table.column(k)))
    return table


def _json_escaped(values: pa.Array) -> pa.Array:
    """Text values escaped for a JSON string, without the quotes."""
    text = values.cast(pa.string())
    data = text.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    if bool(np.any((raw < 32) | (raw == ord('"')) | (raw == ord("\\")))):
        text = pc.replace_substring(text, "\\", "\\\\")
        text = pc.replace_substring(text, '"', '\\"')
        for code in range(32):
            if np.any(raw == code):
                text = pc.replace_substring(text, chr(code), f"\\u{code:04x}")
    return text


def _json_values(values: pa.Array) -> tuple[pa.Array, bool]:
    """Each value as JSON text (null where null), and whether it still needs quotes."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        return _json_values(values.cast(kind.value_type))
    if pa.types.is_timestamp(kind):
        return _timestamp_text(values), True
    if pa.types.is_date(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _json_escaped(values), True
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_null(kind):
        return values.cast(pa.string()), False
    if pa.types.is_floating(kind):
        text = values.cast(pa.float64()).cast(pa.string())
        return pc.if_else(pc.is_finite(values), text, None), False  # no NaN or inf in JSON
    raise ValueError(f"JSON Lines cannot hold a column of type {kind}")


def _write_jsonl(table: pa.Table, path: Path) -> None:
    keys = [json.dumps(name) for name in table.column_names]
    with path.open("wb") as out:
        if not keys:
            out.write(b"{}\n" * table.num_rows)
            return
        for batch in table.to_batches(max_chunksize=1 << 18):
            # One join per batch: literal pieces between the columns' texts. Quotes go into the
            # literals unless the column has nulls, which must print as a bare null.
            parts: list[object] = []
            literal = "{"
            for k, key in enumerate(keys):
                text, quoted = _json_values(batch.column(k))
                literal += ("," if k else "") + key + ":"
                if quoted and text.null_count == 0:
                    parts += [literal + '"', text]
                    literal = '"'
                else:
                    if quoted:
                        text = pc.binary_join_element_wise('"', text, '"', "")
                    parts += [literal, pc.fill_null(text, "null")]
                    literal = ""
            parts += [literal + "}\n", ""]
            lines = pc.binary_join_element_wise(*parts).cast(pa.large_string())
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
            first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
            out.write(memoryview(lines.buffers()[2])[first:last])
