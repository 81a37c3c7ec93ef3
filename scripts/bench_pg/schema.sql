-- scripts/bench: the PostgreSQL peer's schema. psql -v ON_ERROR_STOP=1 -f schema.sql, then
-- the TSVs are copied in (COPY ... FROM STDIN) and load.sql builds the searchable table.
CREATE EXTENSION pg_trgm;
CREATE EXTENSION unaccent;

-- One row per generated profile, as bench_lib.py prepare writes pg_people.tsv: no
-- plaintext email, only the hex SHA-256 of the lower-cased address.
CREATE TABLE people_raw (
    id integer PRIMARY KEY,
    full_name text,
    first_name text,
    last_name text,
    company text,
    domain text,
    city text,
    country text,
    email_sha256 text
);

-- The pre-drawn queries, the same as the wrk bodies (i counts from 1 per kind; target is
-- the id of the person the query was drawn from).
CREATE TABLE q_name_company (i integer PRIMARY KEY, name text, company text, target integer);
CREATE TABLE q_name_location (i integer PRIMARY KEY, name text, city text, target integer);
CREATE TABLE q_email (i integer PRIMARY KEY, email text, target integer);
