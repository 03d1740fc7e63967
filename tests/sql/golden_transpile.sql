-- Golden file: validated SQL, input dialect -> warehouse dialect (LIMIT 1000 added).
-- Each entry: `-- title:`, `-- dialects: READ -> WRITE`, the input, `-- expect:`, the output.
-- Regenerate only after checking each changed output by hand.

-- title: date filter and count distinct
-- dialects: duckdb -> postgres
SELECT surface, COUNT(DISTINCT user_id) AS users FROM events WHERE ds >= DATE '2024-03-01' GROUP BY surface
-- expect:
SELECT surface, COUNT(DISTINCT user_id) AS users FROM events WHERE ds >= CAST('2024-03-01' AS DATE) GROUP BY surface LIMIT 1000

-- title: list aggregate
-- dialects: duckdb -> bigquery
SELECT country, list(user_id) AS ids FROM users GROUP BY country
-- expect:
SELECT country, ARRAY_AGG(user_id) AS ids FROM users GROUP BY country LIMIT 1000

-- title: group by all
-- dialects: duckdb -> snowflake
SELECT country, count(*) AS n FROM users GROUP BY ALL
-- expect:
SELECT country, COUNT(*) AS n FROM users GROUP BY ALL LIMIT 1000

-- title: cast shorthand and interval
-- dialects: postgres -> duckdb
SELECT user_id::text AS id FROM users WHERE signup_date > CURRENT_DATE - INTERVAL '7 days'
-- expect:
SELECT CAST(user_id AS TEXT) AS id FROM users WHERE signup_date > CURRENT_DATE - INTERVAL '7' DAYS LIMIT 1000

-- title: ilike
-- dialects: postgres -> trino
SELECT user_id FROM users WHERE country ILIKE 'f%'
-- expect:
SELECT user_id FROM users WHERE LOWER(country) LIKE LOWER('f%') LIMIT 1000

-- title: double-quoted string literal
-- dialects: sqlite -> duckdb
SELECT user_id FROM users WHERE country = "FR"
-- expect:
SELECT user_id FROM users WHERE country = 'FR' LIMIT 1000

-- title: substr and ifnull
-- dialects: sqlite -> postgres
SELECT substr(country, 1, 1) AS c, ifnull(signup_date, '2024-01-01') AS d FROM users
-- expect:
SELECT SUBSTRING(country FROM 1 FOR 1) AS c, COALESCE(signup_date, '2024-01-01') AS d FROM users LIMIT 1000

-- title: approx distinct
-- dialects: trino -> duckdb
SELECT country, approx_distinct(user_id) AS n FROM users GROUP BY country
-- expect:
SELECT country, APPROX_COUNT_DISTINCT(user_id) AS n FROM users GROUP BY country LIMIT 1000

-- title: date_diff
-- dialects: trino -> spark
SELECT date_diff('day', signup_date, DATE '2024-03-01') AS age FROM users
-- expect:
SELECT DATEDIFF(DAY, signup_date, CAST('2024-03-01' AS DATE)) AS age FROM users LIMIT 1000

-- title: collect_set
-- dialects: spark -> duckdb
SELECT country, collect_set(user_id) AS ids FROM users GROUP BY country
-- expect:
SELECT country, ARRAY_AGG(DISTINCT user_id) FILTER(WHERE NOT user_id IS NULL) AS ids FROM users GROUP BY country LIMIT 1000

-- title: backquoted names
-- dialects: spark -> postgres
SELECT `country`, count(*) AS n FROM `users` GROUP BY `country`
-- expect:
SELECT "country", COUNT(*) AS n FROM "users" GROUP BY "country" LIMIT 1000

-- title: countif and safe_divide
-- dialects: bigquery -> duckdb
SELECT COUNTIF(saves > 0) AS savers, SAFE_DIVIDE(SUM(saves), SUM(impressions)) AS rate FROM events WHERE ds = '2024-03-02'
-- expect:
SELECT COUNT_IF(saves > 0) AS savers, CASE WHEN SUM(impressions) <> 0 THEN SUM(saves) / SUM(impressions) ELSE NULL END AS rate FROM events WHERE ds = '2024-03-02' LIMIT 1000

-- title: iff and qualify
-- dialects: snowflake -> duckdb
SELECT country, IFF(user_id > 3, 'a', 'b') AS x FROM users QUALIFY ROW_NUMBER() OVER (PARTITION BY country ORDER BY user_id) = 1
-- expect:
SELECT country, CASE WHEN user_id > 3 THEN 'a' ELSE 'b' END AS x FROM users QUALIFY ROW_NUMBER() OVER (PARTITION BY country ORDER BY user_id) = 1 LIMIT 1000

-- title: datediff
-- dialects: snowflake -> postgres
SELECT DATEDIFF(day, signup_date, '2024-03-01') AS age FROM users
-- expect:
SELECT (CAST('2024-03-01' AS DATE) - CAST(signup_date AS DATE)) AS age FROM users LIMIT 1000

-- title: existing limit kept, comments dropped
-- dialects: duckdb -> duckdb
SELECT country -- the country
FROM users /* all */ LIMIT 5
-- expect:
SELECT country FROM users LIMIT 5

-- title: union gets one limit
-- dialects: duckdb -> duckdb
SELECT country FROM users UNION ALL SELECT surface FROM events WHERE ds = DATE '2024-03-02'
-- expect:
SELECT country FROM users UNION ALL SELECT surface FROM events WHERE ds = CAST('2024-03-02' AS DATE) LIMIT 1000
