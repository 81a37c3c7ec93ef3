-- scripts/bench: the peer's indexes: trigram GIN on name and company, btrees for the email
-- hash, the company domain (a query may give a domain instead of a name) and the city.
SET maintenance_work_mem = '512MB';
CREATE INDEX people_name_trgm ON people USING gin (name gin_trgm_ops);
CREATE INDEX people_company_trgm ON people USING gin (company gin_trgm_ops);
CREATE INDEX people_email_sha256 ON people (email_sha256);
CREATE INDEX people_domain ON people (domain);
CREATE INDEX people_city ON people (city);
VACUUM ANALYZE people;
ANALYZE q_name_company;
ANALYZE q_name_location;
ANALYZE q_email;
