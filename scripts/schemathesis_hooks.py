"""schemathesis hooks for profiled: NDJSON and CSV bodies.

schemathesis cannot serialise or read `application/x-ndjson` by itself. The document
describes an NDJSON body by the schema of one line, so a generated value is sent as one
line (a generated list, in negative cases, as one line per item; raw bytes as they are),
and an NDJSON response is checked line by line: every line must be JSON, and the first
is handed to schemathesis for the schema check of one line.

A `text/csv` body (a DROP deletion list) is described as a string with the list's
pattern: a generated string is sent as its UTF-8 bytes, anything else (negative cases)
as its JSON text. A CSV answer (the status file) is handed over as its text.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return value
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode("utf-8")


@schemathesis.deserializer("application/x-ndjson")
def ndjson_lines(ctx, response):
    # Split on newlines only: str.splitlines also splits on U+0085 and U+2028, which a
    # JSON string may hold unescaped.
    text = response.content.decode("utf-8")
    lines = [json.loads(line) for line in text.split("\n") if line.strip()]
    if not lines:
        raise ValueError("an NDJSON answer with no line")
    return lines[0]


@schemathesis.serializer("text/csv")
def csv_text(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")


@schemathesis.deserializer("text/csv")
def csv_answer(ctx, response):
    return response.content.decode("utf-8")
