-- pgbench script of scripts/bench: a name + city lookup (15% of the mix).
\set r random(1, :n_name_location)
SELECT p.id, similarity(p.name, q.name) AS score
FROM (SELECT lower(unaccent(name)) AS name, lower(unaccent(city)) AS city
      FROM q_name_location WHERE i = :r) q
JOIN people p ON p.name % q.name AND p.city = q.city
ORDER BY score DESC
LIMIT 5;
