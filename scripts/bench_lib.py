#!/usr/bin/env python3
"""The Python half of scripts/bench (standard library only).

Subcommands (each prints one line of JSON, or appends it to --raw with --tag key=value
pairs merged in, so the bash driver collects every figure in one NDJSON file):

  prepare      the query mix, enrichment rows, search bodies and the PostgreSQL TSVs
  free-port    a free TCP port on 127.0.0.1
  capture      one real lookup answer from profiled (the ceiling's fixed body)
  http-ingest  POST a slice of the profiles as NDJSON bodies to /v1/ingest
  freshness    acknowledged -> searchable, polled; and the refresh=wait_for round trip
  enrich       records/s through the POST /v1/enrich NDJSON stream (curl)
  search       filtered /v1/search latency
  accuracy     top-1 correctness of profiled on a sample of the query mix
  wrk          parse wrk's output (the WRKJSON line printed by bench_lookup.lua)
  pgbench      parse pgbench's output and per-transaction logs
  record       append key=value figures
  report       report.md, report.json and latency.svg from the collected figures
"""

import argparse
import bisect
import collections
import glob
import hashlib
import http.client
import itertools
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata

# ---- helpers ------------------------------------------------------------------------------


def die(message):
    print(f"bench: error: {message}", file=sys.stderr)
    marker = os.environ.get("BENCH_DIED")
    if marker:
        open(marker, "a").close()  # the driver then prints no second error line
    sys.exit(1)


def emit(result, args):
    """Print `result` as one JSON line, or append it (with the tags) to args.raw."""
    tags = {}
    for tag in getattr(args, "tag", None) or []:
        key, _, value = tag.partition("=")
        tags[key] = parse_value(value)
    result = {**result, **tags}
    line = json.dumps(result, sort_keys=True)
    raw = getattr(args, "raw", None)
    if raw:
        with open(raw, "a") as f:
            f.write(line + "\n")
    print(line)


def parse_value(text):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def spelled_out(text):
    """Diacritics dropped (NFKD) and the letters NFKD leaves alone spelled out."""
    return "".join(
        FOLD_EXTRA.get(c, c)
        for c in unicodedata.normalize("NFKD", text or "")
        if not unicodedata.combining(c)
    )


def fold(text):
    """Lower case, diacritics dropped and the letters NFKD leaves alone spelled out."""
    return spelled_out(text).lower()


FOLD_EXTRA = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i",
    "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
}


def strip_diacritics(text):
    return unicodedata.normalize("NFC", spelled_out(text))


class Client:
    """A keep-alive JSON client for one daemon (one per thread)."""

    def __init__(self, url, key):
        match = re.match(r"http://([^/:]+):(\d+)", url)
        if not match:
            die(f"bad URL {url}")
        self.host, self.port = match.group(1), int(match.group(2))
        self.key = key
        self.conn = None

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"Content-Type": content_type}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data
            except (http.client.HTTPException, ConnectionError, socket.timeout) as err:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    die(f"{method} {path}: {err}")
        return None, None

    def json(self, method, path, body=None, content_type="application/json", ok=(200,)):
        status, data = self.request(method, path, body, content_type)
        if status not in ok:
            snippet = data[:200].decode(errors="replace")
            die(f"{method} {path} answered {status}: {snippet}")
        return json.loads(data)


# ---- prepare: the query mix ------------------------------------------------------------------

LEGAL_FORMS = [
    ["B.V.", "N.V."],
    ["GmbH", "GmbH & Co. KG", "UG (haftungsbeschränkt)", "AG", "SE"],
    ["S.A.S.", "SARL", "SASU", "S.A."],
    ["S.L.", "S.A."],
    ["S.r.l.", "S.n.c.", "S.a.s.", "S.p.A."],
    ["Sp. z o.o.", "Sp. k.", "S.A."],
    ["AB", "AB (publ)"],
    ["ApS", "A/S"],
    ["AS", "ASA"],
    ["Ltd", "Limited", "LLP", "PLC"],
    ["Inc.", "LLC", "Corp."],
]
ALL_FORMS = sorted({f for group in LEGAL_FORMS for f in group}, key=len, reverse=True)


def split_legal_form(company):
    for form in ALL_FORMS:
        if company.endswith(" " + form) and company[: -len(form) - 1].strip():
            return company[: -len(form) - 1], form
    return None


def legal_form_variant(company, rng):
    """The legal form dropped, respelled or swapped for a sibling; None without a form."""
    split = split_legal_form(company)
    if not split:
        return None
    short, form = split
    variants = [short]
    if "." in form:
        variants.append(f"{short} {form.replace('.', '')}")
    siblings = [f for g in LEGAL_FORMS if form in g for f in g if f != form]
    if siblings:
        variants.append(f"{short} {rng.choice(siblings)}")
    return rng.choice(variants)


def typo(word, rng):
    """One random edit (substitution, deletion, insertion, transposition), capital kept."""
    capital = word[:1].isupper()
    chars = list(word[:1].lower() + word[1:]) if capital else list(word)
    letters = "abcdefghijklmnopqrstuvwxyz"
    while True:
        op = rng.randrange(4)
        if op == 0:
            i = rng.randrange(len(chars))
            c = rng.choice(letters)
            if chars[i].lower() == c:
                continue
            chars[i] = c
        elif op == 1:
            del chars[rng.randrange(len(chars))]
        elif op == 2:
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(letters))
        else:
            i = rng.randrange(len(chars) - 1)
            if chars[i].lower() == chars[i + 1].lower():
                continue
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        break
    out = "".join(chars)
    return out[:1].upper() + out[1:] if capital else out


def typo_name(first, last, rng):
    """A one-letter typo in the first or the last name (a word of 4+ letters)."""
    targets = [(0, w) for w in first.split() if len(w) >= 4 and w.isalpha()]
    targets += [(1, w) for w in last.split() if len(w) >= 4 and w.isalpha()]
    if not targets:
        return first, last
    which, word = rng.choice(targets)
    if which == 0:
        return first.replace(word, typo(word, rng), 1), last
    return first, last.replace(word, typo(word, rng), 1)


# Noise for the name + company queries (weights sum to 100; no nicknames).
NC_NOISE = [
    ("exact", 25),
    ("lower", 10),
    ("upper", 10),
    ("no_diacritics", 10),
    ("typo", 15),
    ("legal_form", 15),
    ("domain", 15),
]
NL_NOISE = [("exact", 55), ("lower", 15), ("no_diacritics", 15), ("typo", 15)]


def pick(weighted, rng):
    names = [n for n, _ in weighted]
    return rng.choices(names, weights=[w for _, w in weighted])[0]


def noisy_name(person, noise, rng):
    first, last = person["first"], person["last"]
    if noise == "lower":
        first, last = first.lower(), last.lower()
    elif noise == "upper":
        first, last = first.upper(), last.upper()
    elif noise == "no_diacritics":
        first, last = strip_diacritics(first), strip_diacritics(last)
    elif noise == "typo":
        first, last = typo_name(first, last, rng)
    return first, last


def name_fields(first, last, rng):
    """Four in five clients send `name`, the rest `first_name` + `last_name`."""
    if rng.random() < 0.8:
        return {"name": f"{first} {last}"}
    return {"first_name": first, "last_name": last}


def recased(text, noise):
    """`text` with the case or diacritics noise applied (other noise leaves it alone)."""
    if noise == "lower":
        return text.lower()
    if noise == "upper":
        return text.upper()
    if noise == "no_diacritics":
        return strip_diacritics(text)
    return text


def make_query(kind, person, rng):
    """(request body, PostgreSQL row fields, noise) for one lookup of `person`."""
    if kind == "name_company":
        noise = pick(NC_NOISE, rng)
        first, last = noisy_name(person, noise, rng)
        company = recased(person["company"], noise)
        if noise == "legal_form":
            company = legal_form_variant(company, rng) or company
        elif noise == "domain":
            company = person["domain"] or company
        body = {**name_fields(first, last, rng), "company": company}
        return body, [f"{first} {last}", company], noise
    if kind == "name_location":
        noise = pick(NL_NOISE, rng)
        first, last = noisy_name(person, noise, rng)
        city = recased(person["city"], noise)
        body = {**name_fields(first, last, rng), "city": city}
        return body, [f"{first} {last}", city], noise
    email = person["email"]
    noise = "exact"
    if rng.random() < 0.1:
        email, noise = email.capitalize(), "capitalised"
    return {"email": email}, [email], noise


class Zipf:
    """Ranks 0..n-1 drawn with P(k) proportional to 1/(k+1)^s."""

    def __init__(self, n, s):
        self.cum = list(itertools.accumulate((k + 1) ** -s for k in range(n)))

    def draw(self, rng):
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


def tsv_escape(value):
    if value is None or value == "":
        return r"\N"
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write("\t".join(tsv_escape(v) for v in row) + "\n")


def person_of(p):
    company = p.get("company") or {}
    location = p.get("location") or {}
    return {
        "first": p.get("first_name") or "",
        "last": p.get("last_name") or "",
        "company": company.get("name") or "",
        "domain": company.get("domain") or "",
        "industry": company.get("industry") or "",
        "city": location.get("city") or "",
        "country": location.get("country") or "",
        "email": p.get("email") or "",
    }


def cmd_prepare(args):
    rng = random.Random(args.seed)
    out = args.out
    os.makedirs(out, exist_ok=True)
    # Pass 1: the PostgreSQL copy of every profile, and what the draws need to know.
    n = 0
    has_email = bytearray()
    has_city = bytearray()
    pairs = collections.Counter()
    with open(args.people, encoding="utf-8") as f, open(
        os.path.join(out, "pg_people.tsv"), "w", encoding="utf-8"
    ) as pg:
        for line in f:
            if not line.strip():
                continue
            person = person_of(json.loads(line))
            email_sha = (
                hashlib.sha256(person["email"].lower().encode()).hexdigest()
                if person["email"]
                else None
            )
            row = [
                n,
                f"{person['first']} {person['last']}",
                person["first"],
                person["last"],
                person["company"],
                person["domain"].lower(),
                person["city"],
                person["country"].upper(),
                email_sha,
            ]
            pg.write("\t".join(tsv_escape(v) for v in row) + "\n")
            has_email.append(1 if person["email"] else 0)
            has_city.append(1 if person["city"] else 0)
            if person["country"] and person["industry"]:
                pairs[(person["country"], person["industry"])] += 1
            n += 1
    if n == 0:
        die(f"{args.people} holds no profiles")

    # Popularity: a seeded permutation of the people, drawn Zipf-like by rank.
    order = list(range(n))
    rng.shuffle(order)
    with_email = [i for i in order if has_email[i]]
    with_city = [i for i in order if has_city[i]]
    zipf_all = Zipf(n, args.zipf_s)
    zipf_email = Zipf(len(with_email), args.zipf_s) if with_email else None
    zipf_city = Zipf(len(with_city), args.zipf_s) if with_city else None

    mix = [("name_company", 70), ("name_location", 15), ("email", 15)]
    if zipf_email is None:
        mix = [("name_company", 85), ("name_location", 15)]
    counts = {kind: round(args.queries * w / 100) for kind, w in mix}
    counts[mix[0][0]] += args.queries - sum(counts.values())
    kinds = [kind for kind, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)

    def draw(kind):
        if kind == "email":
            return with_email[zipf_email.draw(rng)]
        if kind == "name_location" and zipf_city:
            return with_city[zipf_city.draw(rng)]
        return order[zipf_all.draw(rng)]

    query_targets = [(kind, draw(kind)) for kind in kinds]
    # Enrichment: distinct people, uniformly, with the same mix of kinds and noise.
    enrich_people = rng.sample(range(n), min(args.enrich_rows, n))
    enrich_kinds = rng.choices(
        [k for k, _ in mix], weights=[w for _, w in mix], k=len(enrich_people)
    )

    # Pass 2: the people the queries name.
    needed = {i for _, i in query_targets} | set(enrich_people)
    people = {}
    with open(args.people, encoding="utf-8") as f:
        i = 0
        for line in f:
            if not line.strip():
                continue
            if i in needed:
                people[i] = person_of(json.loads(line))
            i += 1

    per_kind = collections.defaultdict(list)
    noise_counts = collections.Counter()
    with open(os.path.join(out, "queries.ndjson"), "w", encoding="utf-8") as qf, open(
        os.path.join(out, "labels.ndjson"), "w", encoding="utf-8"
    ) as lf:
        for kind, target in query_targets:
            person = people[target]
            if kind == "name_location" and not person["city"]:
                kind = "name_company"
            body, row, noise = make_query(kind, person, rng)
            noise_counts[f"{kind}/{noise}"] += 1
            per_kind[kind].append(row + [target])
            qf.write(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n")
            lf.write(
                json.dumps(
                    {
                        "kind": kind,
                        "k": len(per_kind[kind]),
                        "target": target,
                        "full_name": f"{person['first']} {person['last']}",
                        "domain": person["domain"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    for kind in ("name_company", "name_location", "email"):
        write_tsv(
            os.path.join(out, f"q_{kind}.tsv"),
            ([k + 1] + row for k, row in enumerate(per_kind[kind])),
        )

    with open(os.path.join(out, "enrich.ndjson"), "w", encoding="utf-8") as ef:
        for target, kind in zip(enrich_people, enrich_kinds):
            person = people[target]
            if kind == "email" and not person["email"]:
                kind = "name_company"
            if kind == "name_location" and not person["city"]:
                kind = "name_company"
            body, _, _ = make_query(kind, person, rng)
            ef.write(json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n")

    # Filtered searches: (country, industry) pairs drawn by how common they are.
    with open(os.path.join(out, "search.ndjson"), "w", encoding="utf-8") as sf:
        keys = list(pairs)
        weights = [pairs[k] for k in keys]
        for country, industry in rng.choices(keys, weights=weights, k=args.searches):
            body = {
                "filters": {"country": country, "industry": industry},
                "facets": ["city"],
                "limit": 20,
            }
            sf.write(json.dumps(body, ensure_ascii=False) + "\n")

    distinct = len({t for _, t in query_targets})
    top = collections.Counter(t for _, t in query_targets).most_common(1)[0][1]
    meta = {
        "profiles": n,
        "queries": len(query_targets),
        "per_kind": {k: len(v) for k, v in per_kind.items()},
        "distinct_people": distinct,
        "top_person_share": round(top / len(query_targets), 4),
        "zipf_s": args.zipf_s,
        "noise": dict(sorted(noise_counts.items())),
        "enrich_rows": len(enrich_people),
        "searches": args.searches,
        "seed": args.seed,
    }
    with open(os.path.join(out, "queries-meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    emit({"metric": "prepare", **meta}, args)


# ---- daemons ------------------------------------------------------------------------------------


def cmd_free_port(args):
    ports = set()
    while len(ports) < args.count:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.add(s.getsockname()[1])
    print(" ".join(str(p) for p in sorted(ports)))


def cmd_capture(args):
    """A real answer of median size among the first name + company matches."""
    client = Client(args.url, args.key)
    answers = []
    with open(args.queries, encoding="utf-8") as f:
        for line in f:
            body = json.loads(line)
            if "company" not in body:
                continue
            status, data = client.request("POST", "/v1/lookup", line.strip())
            if status != 200:
                die(f"POST /v1/lookup answered {status}: {data[:200].decode(errors='replace')}")
            answer = json.loads(data)
            if answer.get("status") == "match":
                answers.append(data)
            if len(answers) >= args.sample:
                break
    if not answers:
        die("no lookup of the query mix found a match; is the data directory loaded?")
    answers.sort(key=len)
    chosen = answers[len(answers) // 2]
    with open(args.out, "wb") as f:
        f.write(chosen)
    emit({"metric": "captured_answer", "bytes": len(chosen), "sampled": len(answers)}, args)


def read_lines(path, limit=None):
    with open(path, "rb") as f:
        lines = [line for line in f if line.strip()]
    return lines[:limit] if limit else lines


def cmd_http_ingest(args):
    lines = read_lines(args.people, args.count)
    bodies = [b"".join(lines[i : i + args.body_lines]) for i in range(0, len(lines), args.body_lines)]
    client = Client(args.url, args.key)
    created = updated = rejected = 0
    start = time.perf_counter()
    for body in bodies:
        report = client.json("POST", "/v1/ingest", body, "application/x-ndjson")
        created += report["created"]
        updated += report["updated"]
        rejected += len(report["rejected"])
    acked = time.perf_counter() - start
    # One more profile with refresh=wait_for: the indexer drains the outbox in order, so
    # when it is searchable, everything before it is too.
    marker = {
        "first_name": "Ingest",
        "last_name": "Marker",
        "company": {"name": "Bench Marker Ltd", "domain": "bench-marker.example"},
    }
    client.json("POST", "/v1/ingest?refresh=wait_for", json.dumps(marker) + "\n", "application/x-ndjson")
    searchable = time.perf_counter() - start
    emit(
        {
            "metric": "http_ingest",
            "profiles": len(lines),
            "bodies": len(bodies),
            "body_lines": args.body_lines,
            "created": created,
            "updated": updated,
            "rejected": rejected,
            "seconds_acked": round(acked, 3),
            "seconds_searchable": round(searchable, 3),
            "profiles_per_s": round(len(lines) / acked, 1),
            "profiles_per_s_searchable": round(len(lines) / searchable, 1),
        },
        args,
    )


def cmd_freshness(args):
    """Each writer ingests fresh profiles one at a time; after the acknowledgement it polls
    a name + company lookup until the profile is found (the lookup goes through the index;
    email lookups read the store and would see the write at once)."""
    run = "".join(random.Random().choice("bcdfghjklmnpqrstvwxz") for _ in range(6))
    letters = "abcdefghijklmnopqrstuvwxyz"
    polled, acks, polls = [], [], []
    lock = threading.Lock()
    errors = []

    def fresh_person(rng, k):
        last = "Q" + "".join(rng.choice(letters) for _ in range(9))
        return {
            "person_key": f"bench://fresh/{run}/{k}",
            "source": "bench",
            "first_name": "Fresh",
            "last_name": last,
            "job_title": "Probe",
            "location": {"country": "NL", "city": "Utrecht"},
            "company": {"name": "Freshness Probe B.V.", "domain": "freshness-probe.example"},
        }

    def writer(w, count):
        rng = random.Random(f"{run}-{w}")
        client = Client(args.url, args.key)
        try:
            for j in range(count):
                person = fresh_person(rng, f"{w}-{j}")
                t0 = time.perf_counter()
                client.json("POST", "/v1/ingest", json.dumps(person) + "\n", "application/x-ndjson")
                acked = time.perf_counter()
                query = {"name": f"Fresh {person['last_name']}", "company": "freshness-probe.example"}
                n = 0
                while True:
                    n += 1
                    answer = client.json("POST", "/v1/lookup", query)
                    profile = answer.get("profile") or {}
                    if profile.get("person_key") == person["person_key"]:
                        break
                    if time.perf_counter() - acked > 60:
                        raise RuntimeError("a fresh profile was not searchable after 60 s")
                    time.sleep(args.poll_ms / 1000)
                found = time.perf_counter()
                with lock:
                    polled.append(found - acked)
                    acks.append(acked - t0)
                    polls.append(n)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(str(err))

    def run_writers(target, total):
        per = [total // args.writers + (1 if w < total % args.writers else 0) for w in range(args.writers)]
        threads = [threading.Thread(target=target, args=(w, c)) for w, c in enumerate(per) if c]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            die(errors[0])

    run_writers(writer, args.writes)
    waited = []

    def wait_for_writer(w, count):
        rng = random.Random(f"{run}-wait-{w}")
        client = Client(args.url, args.key)
        try:
            for j in range(count):
                person = fresh_person(rng, f"wait-{w}-{j}")
                t0 = time.perf_counter()
                client.json(
                    "POST", "/v1/ingest?refresh=wait_for", json.dumps(person) + "\n", "application/x-ndjson"
                )
                with lock:
                    waited.append(time.perf_counter() - t0)
        except Exception as err:  # noqa: BLE001
            errors.append(str(err))

    run_writers(wait_for_writer, args.wait_for_writes)
    ms = lambda values, p: round(percentile(values, p) * 1000, 2)  # noqa: E731
    emit(
        {
            "metric": "freshness",
            "writes": len(polled),
            "writers": args.writers,
            "poll_ms": args.poll_ms,
            "searchable_p50_ms": ms(polled, 50),
            "searchable_p99_ms": ms(polled, 99),
            "searchable_max_ms": ms(polled, 100),
            "ack_p50_ms": ms(acks, 50),
            "ack_p99_ms": ms(acks, 99),
            "mean_polls": round(statistics.mean(polls), 1),
            "wait_for_writes": len(waited),
            "wait_for_p50_ms": ms(waited, 50) if waited else None,
            "wait_for_p99_ms": ms(waited, 99) if waited else None,
        },
        args,
    )


def cmd_enrich(args):
    records = sum(1 for _ in read_lines(args.file))
    out = args.file + ".out"
    command = [
        "curl", "-sS", "-o", out, "-w", "%{http_code} %{time_total}",
        "-H", "content-type: application/x-ndjson",
        "--data-binary", "@" + args.file,
        f"{args.url}/v1/enrich?fields={args.fields}",
    ]
    if args.key:
        command[1:1] = ["-H", f"authorization: Bearer {args.key}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        die(f"enrich request failed: {result.stderr.strip()}")
    status, seconds = result.stdout.split()
    if status != "200":
        die(f"POST /v1/enrich answered {status}")
    statuses = collections.Counter()
    with open(out, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                answer = json.loads(line)
                statuses["error" if "error" in answer else answer.get("status", "?")] += 1
    os.remove(out)
    results = sum(statuses.values())
    if results != records:
        die(f"enrich returned {results} results for {records} records")
    seconds = float(seconds)
    emit(
        {
            "metric": "enrich",
            "records": records,
            "seconds": round(seconds, 3),
            "records_per_s": round(records / seconds, 1),
            "fields": args.fields,
            **{f"status_{k}": v for k, v in statuses.items()},
        },
        args,
    )


def cmd_search(args):
    client = Client(args.url, args.key)
    bodies = [line.strip() for line in read_lines(args.file)]
    client.json("POST", "/v1/search", bodies[0])  # warm
    times, totals = [], []
    for body in bodies:
        t0 = time.perf_counter()
        answer = client.json("POST", "/v1/search", body)
        times.append(time.perf_counter() - t0)
        totals.append(answer.get("total", 0))
    emit(
        {
            "metric": "search",
            "requests": len(times),
            "p50_ms": round(percentile(times, 50) * 1000, 2),
            "p99_ms": round(percentile(times, 99) * 1000, 2),
            "mean_ms": round(statistics.mean(times) * 1000, 2),
            "mean_total_hits": round(statistics.mean(totals), 1),
        },
        args,
    )


def cmd_accuracy(args):
    """Top-1 correctness of profiled on the first queries of each kind (the same subset the
    PostgreSQL check uses): the best profile has the target's name and company domain."""
    client = Client(args.url, args.key)
    limits = json.loads(args.limits)
    stats = collections.defaultdict(collections.Counter)
    with open(args.queries, encoding="utf-8") as qf, open(args.labels, encoding="utf-8") as lf:
        for line, label in zip(qf, lf):
            label = json.loads(label)
            if label["k"] > limits.get(label["kind"], 0):
                continue
            answer = client.json("POST", "/v1/lookup", line.strip())
            profile = answer.get("profile") or {}
            company = profile.get("company") or {}
            right = fold(profile.get("full_name")) == fold(label["full_name"]) and (
                (company.get("domain") or "") == label["domain"]
            )
            s = stats[label["kind"]]
            s["n"] += 1
            s["top1"] += right
            s[answer["status"]] += 1
            s["match_right"] += right and answer["status"] == "match"
    total = collections.Counter()
    for s in stats.values():
        total.update(s)
    emit(
        {
            "metric": "accuracy",
            "n": total["n"],
            "top1": round(total["top1"] / max(total["n"], 1), 4),
            "match": round(total["match"] / max(total["n"], 1), 4),
            "precision_at_match": round(total["match_right"] / max(total["match"], 1), 4),
            "per_kind": {k: round(s["top1"] / max(s["n"], 1), 4) for k, s in stats.items()},
        },
        args,
    )


# ---- load generators -------------------------------------------------------------------------


def cmd_wrk(args):
    text = open(args.file, encoding="utf-8", errors="replace").read()
    match = re.search(r"^WRKJSON (\{.*\})$", text, re.M)
    if not match:
        die(f"no WRKJSON line in {args.file}: {text.strip()[-300:]}")
    data = json.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    errors = data["errors"]
    lat = data["latency_us"]
    emit(
        {
            "metric": "lookup",
            "requests": data["requests"],
            "seconds": round(seconds, 3),
            "rps": round(data["requests"] / seconds, 1),
            "errors": sum(errors.values()),
            "non_2xx": errors["status"],
            "p50_ms": lat["p50"] / 1000,
            "p90_ms": lat["p90"] / 1000,
            "p99_ms": lat["p99"] / 1000,
            "p999_ms": lat["p999"] / 1000,
            "mean_ms": round(lat["mean"] / 1000, 3),
            "max_ms": lat["max"] / 1000,
        },
        args,
    )


def cmd_pgbench(args):
    text = open(args.stdout, encoding="utf-8", errors="replace").read()
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    if not tps:
        die(f"pgbench printed no tps: {text.strip()[-300:]}")
    latencies = []
    files = glob.glob(args.log_prefix + ".*")
    for path in files:
        with open(path) as f:
            for line in f:
                parts = line.split()
                # client_id transaction_no time script_no time_epoch time_us
                if len(parts) >= 6 and parts[2].isdigit():
                    latencies.append(int(parts[2]))
        os.remove(path)
    if not latencies:
        die(f"no pgbench transaction logs at {args.log_prefix}.*")
    ms = lambda p: percentile(latencies, p) / 1000  # noqa: E731
    emit(
        {
            "metric": "lookup",
            "requests": len(latencies),
            "seconds": args.duration,
            "rps": round(float(tps.group(1)), 1),
            "errors": int(failed.group(1)) if failed else 0,
            "non_2xx": 0,
            "p50_ms": ms(50),
            "p90_ms": ms(90),
            "p99_ms": ms(99),
            "p999_ms": ms(99.9),
            "mean_ms": round(statistics.mean(latencies) / 1000, 3),
            "max_ms": max(latencies) / 1000,
        },
        args,
    )


def cmd_record(args):
    result = {}
    for pair in args.pairs:
        key, _, value = pair.partition("=")
        result[key] = parse_value(value)
    emit(result, args)


# ---- report ---------------------------------------------------------------------------------


SYSTEMS = [
    ("profiled", "profiled"),
    ("baseline", "baseline (earlier profiled)"),
    ("ceiling", "ceiling (bare axum)"),
    ("postgresql", "PostgreSQL + pg_trgm"),
]
COLORS = {"profiled": "#1f6fb4", "baseline": "#8a5cc2", "ceiling": "#2b9a3a", "postgresql": "#c8342b"}


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
        "runs": len(values),
        "values": values,
    }


def fmt(value, digits=None):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if digits is None:
        digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else (2 if abs(value) >= 1 else 3))
    return f"{value:,.{digits}f}"


def fmt_spread(s, digits=None):
    if not s:
        return "—"
    if s["runs"] == 1 or s["min"] == s["max"]:
        return fmt(s["median"], digits)
    return f"{fmt(s['median'], digits)} ({fmt(s['min'], digits)}–{fmt(s['max'], digits)})"


def ratio(a, b):
    return round(a / b, 4) if a is not None and b else None


def cmd_report(args):
    rows = [json.loads(line) for line in open(args.raw, encoding="utf-8") if line.strip()]
    meta = json.load(open(args.meta, encoding="utf-8"))
    by_metric = collections.defaultdict(list)
    for row in rows:
        by_metric[row.get("metric")].append(row)

    def figure(metric, field, **where):
        values = [
            r.get(field)
            for r in by_metric[metric]
            if all(r.get(k) == v for k, v in where.items())
        ]
        return spread(values)

    figures = {
        "offline_ingest_profiles_per_s": figure("offline_ingest", "profiles_per_s", system="profiled"),
        "offline_ingest_seconds": figure("offline_ingest", "seconds", system="profiled"),
        "http_ingest_profiles_per_s": figure("http_ingest", "profiles_per_s"),
        "http_ingest_profiles_per_s_searchable": figure("http_ingest", "profiles_per_s_searchable"),
        "ack_to_searchable_p50_ms": figure("freshness", "searchable_p50_ms"),
        "ack_to_searchable_p99_ms": figure("freshness", "searchable_p99_ms"),
        "ack_to_searchable_max_ms": figure("freshness", "searchable_max_ms"),
        "ingest_ack_p50_ms": figure("freshness", "ack_p50_ms"),
        "wait_for_round_trip_p50_ms": figure("freshness", "wait_for_p50_ms"),
        "wait_for_round_trip_p99_ms": figure("freshness", "wait_for_p99_ms"),
        "enrich_records_per_s": figure("enrich", "records_per_s"),
        "search_p50_ms": figure("search", "p50_ms"),
        "search_p99_ms": figure("search", "p99_ms"),
        "rss_peak_mib": figure("memory", "vmhwm_mib"),
        "rss_current_mib": figure("memory", "vmrss_mib"),
        "disk_bytes_per_profile": figure("disk", "bytes_per_profile"),
        "disk_store_bytes": figure("disk", "store_bytes"),
        "disk_index_bytes": figure("disk", "index_bytes"),
        "postgresql_load_seconds": figure("pg_load", "load_seconds"),
        "postgresql_index_seconds": figure("pg_load", "index_seconds"),
        "postgresql_bytes_per_profile": figure("pg_load", "bytes_per_profile"),
        "half_load_target_rps": figure("half_load", "target_rps"),
        "half_load_rps": figure("half_load", "rps"),
        "half_load_p50_ms": figure("half_load", "p50_ms"),
        "half_load_p99_ms": figure("half_load", "p99_ms"),
        "accuracy_top1_profiled": figure("accuracy", "top1", system="profiled"),
        "accuracy_top1_postgresql": figure("accuracy", "top1", system="postgresql"),
        "profiled_precision_at_match": figure("accuracy", "precision_at_match", system="profiled"),
    }

    connections = sorted({r["connections"] for r in by_metric["lookup"]})
    lookup = {}
    for system, _ in SYSTEMS:
        per_c = {}
        for c in connections:
            entry = {
                field: figure("lookup", field, system=system, connections=c)
                for field in ("rps", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "errors")
            }
            if entry["rps"]:
                per_c[str(c)] = entry
        if per_c:
            lookup[system] = per_c

    def med(system, c, field):
        entry = lookup.get(system, {}).get(str(c), {}).get(field)
        return entry["median"] if entry else None

    ratios = {"per_connections": {}, "best": {}}
    for c in connections:
        ratios["per_connections"][str(c)] = {
            "throughput_profiled_over_ceiling": ratio(med("profiled", c, "rps"), med("ceiling", c, "rps")),
            "throughput_profiled_over_postgresql": ratio(med("profiled", c, "rps"), med("postgresql", c, "rps")),
            "p99_profiled_over_ceiling": ratio(med("profiled", c, "p99_ms"), med("ceiling", c, "p99_ms")),
            "p99_profiled_over_postgresql": ratio(med("profiled", c, "p99_ms"), med("postgresql", c, "p99_ms")),
            "throughput_profiled_over_baseline": ratio(med("profiled", c, "rps"), med("baseline", c, "rps")),
            "p99_profiled_over_baseline": ratio(med("profiled", c, "p99_ms"), med("baseline", c, "p99_ms")),
        }
    best = {}
    for system, _ in SYSTEMS:
        candidates = [(med(system, c, "rps"), c) for c in connections if med(system, c, "rps")]
        if candidates:
            rps, c = max(candidates)
            best[system] = {"rps": rps, "connections": c, "p99_ms": med(system, c, "p99_ms")}
    ratios["best"] = {
        "best": best,
        "throughput_profiled_over_ceiling": ratio(best.get("profiled", {}).get("rps"), best.get("ceiling", {}).get("rps")),
        "throughput_profiled_over_postgresql": ratio(
            best.get("profiled", {}).get("rps"), best.get("postgresql", {}).get("rps")
        ),
        "throughput_profiled_over_baseline": ratio(
            best.get("profiled", {}).get("rps"), best.get("baseline", {}).get("rps")
        ),
    }

    half = by_metric["half_load"]
    report = {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **meta,
        "figures": {k: v for k, v in figures.items() if v},
        "lookup": lookup,
        "ratios": ratios,
        "half_load": {
            "connections": half[0]["connections"] if half else None,
            "target_rps": figures["half_load_target_rps"],
            "rps": figures["half_load_rps"],
            "p50_ms": figures["half_load_p50_ms"],
            "p99_ms": figures["half_load_p99_ms"],
        },
        "accuracy": {r["system"]: r for r in by_metric["accuracy"]},
        "query_mix": next(iter(by_metric["prepare"]), None),
        "captured_answer_bytes": next((r["bytes"] for r in by_metric["captured_answer"]), None),
    }
    report["targets"] = targets(report)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(args.out, "latency.svg"), "w", encoding="utf-8") as f:
        f.write(svg_chart(lookup, report))
    with open(os.path.join(args.out, "report.md"), "w", encoding="utf-8") as f:
        f.write(markdown(report, connections))
    print(f"wrote {args.out}/report.md, report.json, latency.svg")


# The targets on this 2-core machine at 1M profiles: (name, figure, comparison, bound).
TARGETS = [
    ("lookup throughput ÷ ceiling", "profiled_over_ceiling", ">=", 0.4),
    ("lookup p99 at half of the max throughput (ms)", "half_load_p99_ms", "<=", 5.0),
    ("lookup throughput ÷ PostgreSQL", "profiled_over_postgresql", ">=", 3.0),
    ("offline ingest (profiles/s)", "offline_ingest_profiles_per_s", ">=", 50000.0),
    ("acknowledged → searchable, p99 (ms)", "ack_to_searchable_p99_ms", "<=", 1000.0),
    ("batch enrichment (records/s)", "enrich_records_per_s", ">=", 20000.0),
    ("RSS, peak (MiB)", "rss_peak_mib", "<=", 2048.0),
    ("on disk per profile (bytes)", "disk_bytes_per_profile", "<=", 2048.0),
]


def targets(report):
    """Each target with the measured median and whether it holds."""
    f = report["figures"]
    best = report["ratios"]["best"]
    values = {key: (f.get(key) or {}).get("median") for _, key, _, _ in TARGETS}
    values["profiled_over_ceiling"] = best.get("throughput_profiled_over_ceiling")
    values["profiled_over_postgresql"] = best.get("throughput_profiled_over_postgresql")
    out = []
    for name, key, op, bound in TARGETS:
        value = values.get(key)
        met = None if value is None else (value >= bound if op == ">=" else value <= bound)
        out.append({"target": name, "value": value, "op": op, "bound": bound, "met": met})
    return out


def markdown(r, connections):
    f = r["figures"]
    m = r["machine"]
    v = r["versions"]
    cfg = r["config"]
    lines = [
        "# profiled benchmark",
        "",
        f"{r['generated_at']} · {cfg['profiles']:,} profiles (`profiled gen --seed {cfg['seed']}`) · "
        f"{cfg['repeats']} repeat(s) of {cfg['duration_s']} s per connection level · "
        "figures are the median over the repeats, with (min–max) when they differ.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, Linux {m['kernel']}. "
        f"Versions: {v['rustc']}; profiled `{v['profiled_commit']}`; {v['wrk']}; {v['postgresql']}.",
        "",
        "## profiled",
        "",
        "| what | figure | how |",
        "|---|---:|---|",
    ]

    def row(label, key, unit="", how="", digits=None):
        if key in f:
            lines.append(f"| {label} | {fmt_spread(f[key], digits)}{unit} | {how} |")

    row("offline ingest", "offline_ingest_profiles_per_s", " profiles/s",
        f"`profiled ingest`, wall time, {cfg['profiles']:,} profiles")
    row("offline ingest, wall time", "offline_ingest_seconds", " s")
    row("HTTP ingest (acknowledged)", "http_ingest_profiles_per_s", " profiles/s",
        f"{cfg['http_ingest']:,} profiles in {cfg['body_lines']:,}-line NDJSON bodies, fresh data dir")
    row("HTTP ingest (acknowledged and searchable)", "http_ingest_profiles_per_s_searchable", " profiles/s",
        "until a final `refresh=wait_for` write returns")
    row("acknowledged → searchable, p50", "ack_to_searchable_p50_ms", " ms",
        f"{cfg['fresh_writes']} single-profile writes, name + company lookup polled every {cfg['poll_ms']} ms")
    row("acknowledged → searchable, p99", "ack_to_searchable_p99_ms", " ms")
    row("acknowledged → searchable, max", "ack_to_searchable_max_ms", " ms")
    row("single-profile ingest acknowledgement, p50", "ingest_ack_p50_ms", " ms")
    row("`refresh=wait_for` round trip, p50", "wait_for_round_trip_p50_ms", " ms",
        "single-profile `POST /v1/ingest?refresh=wait_for`")
    row("`refresh=wait_for` round trip, p99", "wait_for_round_trip_p99_ms", " ms")
    row("batch enrichment", "enrich_records_per_s", " records/s",
        f"{cfg['enrich_rows']:,} distinct people (same mix and noise), `POST /v1/enrich` NDJSON stream, `fields={cfg['enrich_fields']}`")
    row("filtered search, p50", "search_p50_ms", " ms",
        f"{cfg['searches']} sequential `/v1/search`, country + industry filter, city facet")
    row("filtered search, p99", "search_p99_ms", " ms")
    row("RSS, peak (VmHWM)", "rss_peak_mib", " MiB", "the lookup daemon, at the end of the run")
    row("RSS, current (VmRSS)", "rss_current_mib", " MiB")
    row("on disk per profile", "disk_bytes_per_profile", " bytes", "`du` of the data dir after offline ingest ÷ N")
    row("top-1 correct (query mix sample)", "accuracy_top1_profiled", "",
        "best profile has the target's name and company domain", 3)
    row("precision at `status=match`", "profiled_precision_at_match", "", "", 3)
    if "disk_store_bytes" in f:
        lines.append(
            f"| on disk, store + index | {fmt(f['disk_store_bytes']['median'] / 2**20, 1)} MiB + "
            f"{fmt(f['disk_index_bytes']['median'] / 2**20, 1)} MiB | |"
        )
    lines += [
        "",
        "## Lookups: profiled vs. the references",
        "",
        "`POST /v1/lookup`, the same pre-drawn query mix for all three: "
        f"{r['query_mix']['queries']:,} queries drawn Zipf-like (s = {r['query_mix']['zipf_s']}) "
        f"from the people ({r['query_mix']['distinct_people']:,} distinct; the most popular person is "
        f"{r['query_mix']['top_person_share']:.1%} of queries): 70% name + company (exact, lower/upper "
        "case, no diacritics, a one-letter typo, legal form dropped or changed, domain instead of the "
        "name), 15% name + city, 15% email. wrk (closed loop, one request in flight per connection) for "
        "profiled and the ceiling; pgbench with the same connection count for PostgreSQL.",
        "",
    ]
    # The baseline's columns appear only in a run that measured one (--baseline).
    has_baseline = "baseline" in r["lookup"]
    shown = [system for system, _ in SYSTEMS if system != "baseline" or has_baseline]
    heads = {"profiled": "profiled req/s", "baseline": "baseline req/s", "ceiling": "ceiling req/s",
             "postgresql": "PostgreSQL tps"}
    header = ["conns"] + [h for system in shown for h in (heads[system], "p50", "p99")]
    header += ["profiled ÷ ceiling", "profiled ÷ PostgreSQL"] + (["profiled ÷ baseline"] if has_baseline else [])
    lines += ["| " + " | ".join(header) + " |", "|" + "---:|" * len(header)]
    for c in connections:
        cells = [str(c)]
        for system in shown:
            e = r["lookup"].get(system, {}).get(str(c))
            if e:
                cells += [fmt_spread(e["rps"], 0), fmt_spread(e["p50_ms"]) + " ms", fmt_spread(e["p99_ms"]) + " ms"]
            else:
                cells += ["—", "—", "—"]
        rc = r["ratios"]["per_connections"][str(c)]
        cells += [fmt(rc["throughput_profiled_over_ceiling"], 3), fmt(rc["throughput_profiled_over_postgresql"], 2)]
        if has_baseline:
            cells.append(fmt(rc["throughput_profiled_over_baseline"], 3))
        lines.append("| " + " | ".join(cells) + " |")
    b = r["ratios"]["best"]
    best_cells = []
    for system, label in SYSTEMS:
        e = b["best"].get(system)
        if e:
            best_cells.append(f"{label} {fmt(e['rps'], 0)} req/s at {e['connections']} connections (p99 {fmt(e['p99_ms'])} ms)")
    lines += [
        "",
        "Best throughput: " + "; ".join(best_cells) + ". "
        f"profiled ÷ ceiling at the best: **{fmt(b['throughput_profiled_over_ceiling'], 3)}**; "
        f"profiled ÷ PostgreSQL at the best: **{fmt(b['throughput_profiled_over_postgresql'], 2)}**"
        + (f"; profiled ÷ baseline at the best: **{fmt(b['throughput_profiled_over_baseline'], 3)}** "
           f"(baseline: `{r['versions'].get('baseline')}`)" if has_baseline else "")
        + ".",
        "",
    ]
    h = r["half_load"]
    if h.get("rps"):
        lines += [
            f"At half of profiled's best throughput (wrk paced with `delay()`, {h['connections']} connections): "
            f"target {fmt(h['target_rps']['median'], 0)} req/s, achieved {fmt_spread(h['rps'], 0)} req/s, "
            f"p50 {fmt_spread(h['p50_ms'])} ms, **p99 {fmt_spread(h['p99_ms'])} ms**.",
            "",
        ]
    acc = r.get("accuracy", {})
    if "postgresql" in acc or "profiled" in acc:
        parts = []
        for system, label in SYSTEMS:
            if system in acc:
                parts.append(f"{label} {acc[system]['top1']:.3f}")
        lines += [
            f"Top-1 correct on the first {acc.get('profiled', acc.get('postgresql'))['n']:,} queries of the mix "
            "(the best answer has the target's name and company domain): " + ", ".join(parts) + ".",
            "",
        ]
    lines += [
        "References: the **ceiling** is `benches/references/ceiling.rs` (example `bench-ceiling`), a bare "
        "axum/hyper server that parses the same lookup JSON and returns a fixed "
        f"{r.get('captured_answer_bytes') or '?'}-byte real answer captured from profiled. The **peer** is "
        "PostgreSQL with pg_trgm: the same profiles (names, companies, cities folded with `unaccent` + "
        "`lower`, `email_sha256`), GIN trigram indexes on name and company, btrees on email hash, domain "
        "and city; each query is a `%` filter ordered by `similarity` with `LIMIT 5`, picked from a table "
        "of the same pre-drawn queries (`scripts/bench_pg/`).",
        "",
    ]
    if "postgresql_load_seconds" in f:
        lines += [
            f"PostgreSQL load: COPY + normalise {fmt_spread(f['postgresql_load_seconds'])} s, indexes "
            f"{fmt_spread(f['postgresql_index_seconds'])} s, {fmt_spread(f['postgresql_bytes_per_profile'], 0)} "
            "bytes per profile (table + indexes).",
            "",
        ]
    lines += ["![latency](latency.svg)", ""]
    lines += ["## Targets", "", "| target | measured (median) | bound | |", "|---|---:|---:|---|"]
    for t in r.get("targets", []):
        mark = "—" if t["met"] is None else ("met" if t["met"] else "**missed**")
        lines.append(f"| {t['target']} | {fmt(t['value'])} | {t['op']} {fmt(t['bound'])} | {mark} |")
    lines.append("")
    # What changed in profiled, and what each change bought, is kept beside this script.
    changes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-changes.md")
    if os.path.exists(changes):
        lines += [open(changes, encoding="utf-8").read().rstrip(), ""]
    return "\n".join(lines)


def nice_ticks(lo, hi, count=6):
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    start = math.ceil(lo / step) * step
    ticks = []
    t = start
    while t <= hi + 1e-9:
        ticks.append(t)
        t += step
    return ticks


def log_ticks(lo, hi):
    ticks = []
    for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            t = m * 10**e
            if lo <= t <= hi:
                ticks.append(t)
    return ticks


def tick_label(t):
    if t >= 1000:
        return f"{t / 1000:g}k"
    return f"{t:g}"


def svg_chart(lookup, report):
    width, height = 960, 600
    left, right, top, bottom = 80, 250, 50, 60
    pw, ph = width - left - right, height - top - bottom
    series = []
    for system, label in SYSTEMS:
        points = []
        for c, e in sorted(lookup.get(system, {}).items(), key=lambda kv: int(kv[0])):
            points.append((int(c), e["rps"]["median"], e["p50_ms"]["median"], e["p99_ms"]["median"]))
        if points:
            series.append((system, label, points))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    if not series:
        out.append('<text x="20" y="40">no lookup measurements</text></svg>')
        return "\n".join(out)
    xs = [p[1] for _, _, pts in series for p in pts if p[1] > 0]
    ys = [v for _, _, pts in series for p in pts for v in (p[2], p[3]) if v and v > 0]
    half = report.get("half_load", {})
    if half.get("rps"):
        xs.append(half["rps"]["median"])
        ys.append(half["p99_ms"]["median"])
    x_log = max(xs) / max(min(xs), 1e-9) > 20
    if x_log:
        x_lo = 10 ** math.floor(math.log10(min(xs)))
        x_hi = 10 ** math.ceil(math.log10(max(xs)))
        fx = lambda x: left + pw * (math.log10(max(x, x_lo)) - math.log10(x_lo)) / (math.log10(x_hi) - math.log10(x_lo))  # noqa: E731
        x_ticks = log_ticks(x_lo, x_hi)
    else:
        x_lo, x_hi = 0, max(xs) * 1.08
        fx = lambda x: left + pw * (x - x_lo) / (x_hi - x_lo)  # noqa: E731
        x_ticks = nice_ticks(x_lo, x_hi)
    y_lo = 10 ** math.floor(math.log10(min(ys)))
    y_hi = 10 ** math.ceil(math.log10(max(ys)))
    if y_hi / y_lo < 10:
        y_hi = y_lo * 10
    fy = lambda y: top + ph - ph * (math.log10(max(y, y_lo)) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo))  # noqa: E731
    cfg = report["config"]
    out.append(
        f'<text x="{left}" y="24" font-size="15" font-weight="bold">Lookup latency vs. throughput — '
        f"{cfg['profiles']:,} profiles, {cfg['duration_s']} s per point, median of {cfg['repeats']}</text>"
    )
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>')
    for t in x_ticks:
        x = fx(t)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 18}" text-anchor="middle">{tick_label(t)}</text>')
    for t in log_ticks(y_lo, y_hi):
        y = fy(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    out.append(
        f'<text x="{left + pw / 2}" y="{height - 15}" text-anchor="middle">throughput, requests/s'
        f'{" (log scale)" if x_log else ""}</text>'
    )
    out.append(
        f'<text transform="translate(20 {top + ph / 2}) rotate(-90)" text-anchor="middle">'
        "latency, ms (log scale)</text>"
    )
    legend_y = top + 10
    for system, label, points in series:
        color = COLORS[system]
        for field, dash, name in ((2, "", "p50"), (3, "6 4", "p99")):
            coords = " ".join(f"{fx(p[1]):.1f},{fy(p[field]):.1f}" for p in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"{dash_attr}/>')
            for p in points:
                out.append(f'<circle cx="{fx(p[1]):.1f}" cy="{fy(p[field]):.1f}" r="3" fill="{color}"/>')
            lx = left + pw + 20
            out.append(f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 30}" y2="{legend_y}" stroke="{color}" stroke-width="2"{dash_attr}/>')
            out.append(f'<text x="{lx + 38}" y="{legend_y + 4}">{label} {name}</text>')
            legend_y += 20
        for p in points:
            out.append(
                f'<text x="{fx(p[1]) + 5:.1f}" y="{fy(p[3]) - 6:.1f}" fill="{color}" font-size="10">c{p[0]}</text>'
            )
    if half.get("rps"):
        x, y = fx(half["rps"]["median"]), fy(half["p99_ms"]["median"])
        out.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="none" stroke="black" stroke-width="2"/>')
        lx = left + pw + 20
        out.append(f'<rect x="{lx + 10}" y="{legend_y - 5}" width="10" height="10" fill="none" stroke="black" stroke-width="2"/>')
        out.append(f'<text x="{lx + 38}" y="{legend_y + 4}">profiled p99 at half load</text>')
        legend_y += 20
    out.append(
        f'<text x="{left + pw + 20}" y="{legend_y + 16}" font-size="10" fill="#555">labels: connections</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- main -----------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name, func):
        p = sub.add_parser(name)
        p.set_defaults(func=func)
        p.add_argument("--raw", help="append the result line to this NDJSON file")
        p.add_argument("--tag", action="append", help="key=value merged into the result")
        return p

    p = command("prepare", cmd_prepare)
    p.add_argument("--people", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--queries", type=int, default=100_000)
    p.add_argument("--enrich-rows", type=int, default=20_000)
    p.add_argument("--searches", type=int, default=200)
    p.add_argument("--zipf-s", type=float, default=1.1)
    p.add_argument("--seed", type=int, default=7)

    p = sub.add_parser("free-port")
    p.set_defaults(func=cmd_free_port)
    p.add_argument("--count", type=int, default=1)

    for name, func in (("capture", cmd_capture), ("http-ingest", cmd_http_ingest), ("freshness", cmd_freshness),
                       ("enrich", cmd_enrich), ("search", cmd_search), ("accuracy", cmd_accuracy)):
        p = command(name, func)
        p.add_argument("--url", required=True)
        p.add_argument("--key", default=os.environ.get("BENCH_API_KEY"))
        if name == "capture":
            p.add_argument("--queries", required=True)
            p.add_argument("--out", required=True)
            p.add_argument("--sample", type=int, default=51)
        elif name == "http-ingest":
            p.add_argument("--people", required=True)
            p.add_argument("--count", type=int, default=100_000)
            p.add_argument("--body-lines", type=int, default=5_000)
        elif name == "freshness":
            p.add_argument("--writes", type=int, default=200)
            p.add_argument("--wait-for-writes", type=int, default=40)
            p.add_argument("--writers", type=int, default=4)
            p.add_argument("--poll-ms", type=float, default=10)
        elif name == "enrich":
            p.add_argument("--file", required=True)
            p.add_argument("--fields", default="job_title")
        elif name == "search":
            p.add_argument("--file", required=True)
        elif name == "accuracy":
            p.add_argument("--queries", required=True)
            p.add_argument("--labels", required=True)
            p.add_argument("--limits", required=True, help='JSON {"kind": first-k, ...}')

    p = command("wrk", cmd_wrk)
    p.add_argument("file")

    p = command("pgbench", cmd_pgbench)
    p.add_argument("--stdout", required=True)
    p.add_argument("--log-prefix", required=True)
    p.add_argument("--duration", type=float, required=True)

    p = command("record", cmd_record)
    p.add_argument("pairs", nargs="*")

    p = sub.add_parser("report")
    p.set_defaults(func=cmd_report)
    p.add_argument("--raw", required=True)
    p.add_argument("--meta", required=True)
    p.add_argument("--out", required=True)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
