-- pgbench script of scripts/bench: an email lookup (15% of the mix), by the hex SHA-256 of
-- the lower-cased address.
\set r random(1, :n_email)
SELECT p.id
FROM people p
WHERE p.email_sha256 = (SELECT encode(sha256(convert_to(lower(email), 'UTF8')), 'hex')
                        FROM q_email WHERE i = :r)
LIMIT 5;
