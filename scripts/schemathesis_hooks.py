"""schemathesis hooks for profiled: an NDJSON body serialiser.

schemathesis cannot serialise `application/x-ndjson` by itself. The document describes an
NDJSON body by the schema of one line, so a generated value is one line; a generated list
(negative cases) becomes one line per item, and raw bytes are sent as they are.
"""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    if isinstance(value, bytes):
        return {"data": value}
    items = value if isinstance(value, list) else [value]
    return {"data": "".join(json.dumps(item) + "\n" for item in items).encode("utf-8")}
