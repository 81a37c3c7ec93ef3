-- pgbench script of scripts/bench: a name + company lookup (70% of the mix).
\set r random(1, :n_name_company)
SELECT p.id,
       similarity(p.name, q.name)
         + greatest(similarity(p.company, q.company), CASE WHEN p.domain = q.company THEN 1 ELSE 0 END) AS score
FROM (SELECT lower(unaccent(name)) AS name, lower(unaccent(company)) AS company
      FROM q_name_company WHERE i = :r) q
JOIN people p ON p.name % q.name AND (p.company % q.company OR p.domain = q.company)
ORDER BY score DESC
LIMIT 5;
