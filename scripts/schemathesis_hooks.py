"""schemathesis hooks for profiled: NDJSON bodies.

schemathesis cannot serialise or read `application/x-ndjson` by itself. The document
describes an NDJSON body by the schema of one line, so a generated value is sent as one
line (a generated list, in negative cases, as one line per item; raw bytes as they are),
and an NDJSON response is checked line by line: every line must be JSON, and the first
is handed to schemathesis for the schema check of one line.
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
    lines = [json.loads(line) for line in response.content.decode("utf-8").splitlines()]
    if not lines:
        raise ValueError("an NDJSON answer with no line")
    return lines[0]
