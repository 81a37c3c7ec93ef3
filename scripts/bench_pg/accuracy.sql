-- scripts/bench: top-1 correctness of the peer on the first queries of each kind (the
-- best row has the target's name and company domain), the same subset profiled is
-- checked on. psql -v k_name_company=700 -v k_name_location=150 -v k_email=150.
WITH answers AS (
    SELECT 'name_company' AS kind, t.name = top.name AND t.domain IS NOT DISTINCT FROM top.domain AS right_answer
    FROM q_name_company q
    JOIN people t ON t.id = q.target
    LEFT JOIN LATERAL (
        SELECT p.name, p.domain
        FROM (SELECT lower(unaccent(q.name)) AS name, lower(unaccent(q.company)) AS company) n
        JOIN people p ON p.name % n.name AND (p.company % n.company OR p.domain = n.company)
        ORDER BY similarity(p.name, n.name)
                 + greatest(similarity(p.company, n.company), CASE WHEN p.domain = n.company THEN 1 ELSE 0 END) DESC
        LIMIT 1) top ON true
    WHERE q.i <= :k_name_company
  UNION ALL
    SELECT 'name_location', t.name = top.name AND t.domain IS NOT DISTINCT FROM top.domain
    FROM q_name_location q
    JOIN people t ON t.id = q.target
    LEFT JOIN LATERAL (
        SELECT p.name, p.domain
        FROM (SELECT lower(unaccent(q.name)) AS name, lower(unaccent(q.city)) AS city) n
        JOIN people p ON p.name % n.name AND p.city = n.city
        ORDER BY similarity(p.name, n.name) DESC
        LIMIT 1) top ON true
    WHERE q.i <= :k_name_location
  UNION ALL
    SELECT 'email', t.name = top.name AND t.domain IS NOT DISTINCT FROM top.domain
    FROM q_email q
    JOIN people t ON t.id = q.target
    LEFT JOIN LATERAL (
        SELECT p.name, p.domain FROM people p
        WHERE p.email_sha256 = encode(sha256(convert_to(lower(q.email), 'UTF8')), 'hex')
        LIMIT 1) top ON true
    WHERE q.i <= :k_email
)
SELECT json_build_object(
    'n', count(*),
    'top1', round(avg(coalesce(right_answer, false)::int), 4),
    'per_kind', (SELECT json_object_agg(kind, r) FROM (
        SELECT kind, round(avg(coalesce(right_answer, false)::int), 4) AS r FROM answers GROUP BY kind) k))
FROM answers;
