-- scripts/bench: normalise (unaccent + lower, as profiled folds case and diacritics) into
-- the table the lookups read.
\timing off
CREATE TABLE people AS
SELECT id,
       lower(unaccent(full_name)) AS name,
       lower(unaccent(first_name)) AS first_name,
       lower(unaccent(last_name)) AS last_name,
       lower(unaccent(company)) AS company,
       lower(domain) AS domain,
       lower(unaccent(city)) AS city,
       country,
       email_sha256
FROM people_raw;
ALTER TABLE people ADD PRIMARY KEY (id);
DROP TABLE people_raw;
