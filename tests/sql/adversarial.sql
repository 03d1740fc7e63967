-- Adversarial corpus: statements that must never validate and never run.
-- Format: each entry starts with a line `-- name: <id>`, optionally followed by ` [engine]`
-- when the hardened DuckDB connection must refuse it on its own (defence in depth).
-- `{tmp}` is replaced by a temporary folder that must stay empty.

-- name: stacked-drop [engine]
SELECT 1; DROP TABLE users
-- name: stacked-drop-no-space [engine]
SELECT 1;DROP TABLE users;
-- name: stacked-delete-after-valid [engine]
SELECT user_id FROM users LIMIT 1; DELETE FROM users
-- name: stacked-with-comment-between [engine]
SELECT 1 /* harmless */ ; /* really */ DROP TABLE users
-- name: stacked-line-comment-hides-nothing [engine]
SELECT 1 -- comment
; DROP TABLE users
-- name: stacked-two-selects
SELECT 1; SELECT 2
-- name: stacked-insert [engine]
SELECT country FROM users LIMIT 1; INSERT INTO users VALUES (1, 'x', DATE '2024-01-01')
-- name: stacked-attach [engine]
SELECT 1; ATTACH '{tmp}/x.db' AS x
-- name: stacked-set [engine]
SELECT 1; SET memory_limit = '1GB'
-- name: stacked-newlines [engine]
SELECT 1
;
DROP TABLE events
-- name: injection-classic [engine]
SELECT * FROM users WHERE country = ''; DROP TABLE users; --'
-- name: injection-unterminated
SELECT * FROM users WHERE country = 'x'; DROP TABLE users; SELECT '
-- name: drop-table [engine]
DROP TABLE users
-- name: drop-table-if-exists [engine]
DROP TABLE IF EXISTS users
-- name: drop-view
DROP VIEW IF EXISTS v
-- name: drop-schema [engine]
DROP SCHEMA main CASCADE
-- name: create-table [engine]
CREATE TABLE t (a INTEGER)
-- name: create-table-as [engine]
CREATE TABLE t AS SELECT * FROM users
-- name: create-or-replace-table [engine]
CREATE OR REPLACE TABLE users AS SELECT 1 AS a
-- name: create-temp-table
CREATE TEMP TABLE t AS SELECT 1 AS a
-- name: create-view [engine]
CREATE VIEW v AS SELECT * FROM users
-- name: create-macro [engine]
CREATE MACRO m(a) AS a + 1
-- name: create-sequence [engine]
CREATE SEQUENCE s
-- name: create-index [engine]
CREATE INDEX i ON users (user_id)
-- name: create-schema [engine]
CREATE SCHEMA s
-- name: create-type [engine]
CREATE TYPE mood AS ENUM ('a', 'b')
-- name: create-secret [engine]
CREATE SECRET s (TYPE S3, KEY_ID 'x', SECRET 'y')
-- name: create-function-pg [engine]
CREATE FUNCTION f() RETURNS INT AS 'SELECT 1' LANGUAGE SQL
-- name: alter-table-add [engine]
ALTER TABLE users ADD COLUMN x INTEGER
-- name: alter-table-rename [engine]
ALTER TABLE users RENAME TO people
-- name: alter-view [engine]
ALTER VIEW v RENAME TO w
-- name: insert-values [engine]
INSERT INTO users VALUES (1, 'x', DATE '2024-01-01')
-- name: insert-select [engine]
INSERT INTO users SELECT * FROM users
-- name: insert-or-replace [engine]
INSERT OR REPLACE INTO users VALUES (1, 'x', DATE '2024-01-01')
-- name: insert-returning [engine]
INSERT INTO users VALUES (1, 'x', DATE '2024-01-01') RETURNING *
-- name: update [engine]
UPDATE users SET country = 'XX'
-- name: update-from [engine]
UPDATE users SET country = 'XX' FROM events WHERE users.user_id = events.user_id
-- name: delete [engine]
DELETE FROM users
-- name: delete-where [engine]
DELETE FROM users WHERE user_id IN (SELECT user_id FROM events WHERE ds = DATE '2024-03-01')
-- name: delete-using [engine]
DELETE FROM users USING events WHERE users.user_id = events.user_id
-- name: merge [engine]
MERGE INTO users USING (SELECT 1 AS user_id) s ON users.user_id = s.user_id WHEN MATCHED THEN DELETE
-- name: truncate [engine]
TRUNCATE users
-- name: truncate-table [engine]
TRUNCATE TABLE users
-- name: vacuum
VACUUM
-- name: vacuum-analyze
VACUUM ANALYZE users
-- name: analyze
ANALYZE users
-- name: checkpoint
CHECKPOINT
-- name: force-checkpoint
FORCE CHECKPOINT
-- name: comment-on [engine]
COMMENT ON TABLE users IS 'pwned'
-- name: cte-delete [engine]
WITH gone AS (DELETE FROM users RETURNING *) SELECT * FROM gone
-- name: cte-insert [engine]
WITH x AS (INSERT INTO users VALUES (9, 'x', DATE '2024-01-01') RETURNING *) SELECT * FROM x
-- name: cte-update [engine]
WITH x AS (UPDATE users SET country = 'XX' RETURNING *) SELECT count(*) FROM x
-- name: cte-nested-delete [engine]
WITH a AS (SELECT 1 AS k), b AS (DELETE FROM users WHERE user_id IN (SELECT k FROM a) RETURNING user_id) SELECT * FROM b
-- name: cte-in-subquery-delete [engine]
SELECT * FROM (WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x) AS t
-- name: cte-recursive-with-delete
WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3), d AS (DELETE FROM users RETURNING *) SELECT * FROM r
-- name: union-with-delete-cte [engine]
SELECT user_id FROM users UNION ALL SELECT * FROM (WITH x AS (DELETE FROM users RETURNING user_id) SELECT user_id FROM x)
-- name: select-into [engine]
SELECT * INTO new_users FROM users
-- name: select-into-temp
SELECT * INTO TEMP new_users FROM users
-- name: select-into-in-cte
WITH x AS (SELECT * INTO t2 FROM users) SELECT 1
-- name: for-update
SELECT * FROM users FOR UPDATE
-- name: for-share
SELECT * FROM users FOR SHARE
-- name: copy-to [engine]
COPY users TO '{tmp}/users.csv'
-- name: copy-to-parquet [engine]
COPY users TO '{tmp}/users.parquet' (FORMAT PARQUET)
-- name: copy-query-to [engine]
COPY (SELECT * FROM users) TO '{tmp}/q.csv'
-- name: copy-from [engine]
COPY users FROM '/etc/passwd'
-- name: export-database [engine]
EXPORT DATABASE '{tmp}/export'
-- name: export-database-parquet [engine]
EXPORT DATABASE '{tmp}/export2' (FORMAT PARQUET)
-- name: import-database [engine]
IMPORT DATABASE '{tmp}/export'
-- name: attach [engine]
ATTACH '{tmp}/other.db' AS other
-- name: attach-database [engine]
ATTACH DATABASE '{tmp}/other.db' AS other
-- name: attach-read-only [engine]
ATTACH '{tmp}/other.db' (READ_ONLY)
-- name: attach-sqlite [engine]
ATTACH '{tmp}/x.sqlite' AS s (TYPE SQLITE)
-- name: detach [engine]
DETACH other
-- name: use-schema
USE main
-- name: install [engine]
INSTALL httpfs
-- name: force-install [engine]
FORCE INSTALL httpfs FROM 'https://example.invalid'
-- name: load [engine]
LOAD httpfs
-- name: load-path [engine]
LOAD '{tmp}/evil.duckdb_extension'
-- name: install-lowercase [engine]
install sqlite
-- name: load-mixed-case
LoAd Json
-- name: pragma
PRAGMA database_list
-- name: pragma-set [engine]
PRAGMA memory_limit = '1TB'
-- name: pragma-table-info
PRAGMA table_info('users')
-- name: set [engine]
SET memory_limit = '10GB'
-- name: set-external-access [engine]
SET enable_external_access = true
-- name: set-lock [engine]
SET lock_configuration = false
-- name: set-global [engine]
SET GLOBAL threads = 1
-- name: set-session
SET SESSION search_path = 'main'
-- name: reset [engine]
RESET memory_limit
-- name: reset-all [engine]
RESET ALL
-- name: call-pragma
CALL pragma_version()
-- name: call-checkpoint
CALL checkpoint()
-- name: begin
BEGIN TRANSACTION
-- name: commit
COMMIT
-- name: rollback
ROLLBACK
-- name: prepare
PREPARE p AS SELECT * FROM users
-- name: execute
EXECUTE p
-- name: deallocate
DEALLOCATE p
-- name: describe
DESCRIBE users
-- name: show-tables
SHOW TABLES
-- name: summarize
SUMMARIZE users
-- name: read-csv [engine]
SELECT * FROM read_csv('/etc/passwd')
-- name: read-csv-auto [engine]
SELECT * FROM read_csv_auto('/etc/passwd')
-- name: read-csv-upper [engine]
SELECT * FROM READ_CSV('/etc/passwd')
-- name: read-csv-quoted-name [engine]
SELECT * FROM "read_csv"('/etc/passwd')
-- name: read-csv-schema-qualified [engine]
SELECT * FROM main.read_csv('/etc/passwd')
-- name: read-parquet [engine]
SELECT * FROM read_parquet('{tmp}/x.parquet')
-- name: read-parquet-url [engine]
SELECT * FROM read_parquet('https://example.invalid/x.parquet')
-- name: read-parquet-s3 [engine]
SELECT * FROM read_parquet('s3://bucket/x.parquet')
-- name: parquet-scan [engine]
SELECT * FROM parquet_scan('{tmp}/x.parquet')
-- name: read-json [engine]
SELECT * FROM read_json('/etc/hosts')
-- name: read-json-auto [engine]
SELECT * FROM read_json_auto('/etc/hosts')
-- name: read-ndjson [engine]
SELECT * FROM read_ndjson('/etc/hosts')
-- name: read-text [engine]
SELECT * FROM read_text('/etc/hostname')
-- name: read-blob [engine]
SELECT * FROM read_blob('/etc/hostname')
-- name: glob [engine]
SELECT * FROM glob('/etc/*')
-- name: sniff-csv [engine]
SELECT * FROM sniff_csv('/etc/passwd')
-- name: replacement-scan-csv [engine]
SELECT * FROM '/etc/passwd.csv'
-- name: replacement-scan-relative [engine]
SELECT * FROM 'data.csv'
-- name: replacement-scan-double-quoted
SELECT * FROM "/etc/hosts"
-- name: replacement-scan-parquet-url [engine]
SELECT * FROM 'https://example.invalid/data.parquet'
-- name: replacement-scan-s3-glob [engine]
SELECT * FROM 's3://bucket/*.parquet'
-- name: replacement-scan-in-join [engine]
SELECT u.user_id FROM users u JOIN 'x.csv' f ON f.user_id = u.user_id
-- name: read-csv-in-subquery [engine]
SELECT * FROM users WHERE country IN (SELECT column0 FROM read_csv('/etc/passwd'))
-- name: read-csv-in-cte [engine]
WITH f AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM f
-- name: read-csv-lateral [engine]
SELECT * FROM users, LATERAL read_csv('/etc/passwd')
-- name: read-csv-join [engine]
SELECT * FROM users JOIN read_csv('/etc/passwd') r ON TRUE
-- name: read-text-scalar-subquery [engine]
SELECT (SELECT content FROM read_text('/etc/hostname')) AS c FROM users
-- name: read-csv-in-union [engine]
SELECT country FROM users UNION ALL SELECT column0 FROM read_csv('/etc/passwd')
-- name: from-first-read [engine]
FROM read_csv('/etc/passwd')
-- name: query-function
SELECT * FROM query('DROP TABLE users')
-- name: query-table-function
SELECT * FROM query_table('secrets_not_in_catalog')
-- name: getenv [engine]
SELECT getenv('HOME')
-- name: getenv-mixed-case [engine]
SELECT GeTeNv('HOME') AS h
-- name: getenv-quoted [engine]
SELECT "getenv"('HOME')
-- name: getenv-fullwidth
SELECT ｇｅｔｅｎｖ('HOME')
-- name: getenv-in-where [engine]
SELECT user_id FROM users WHERE country = getenv('USER')
-- name: getenv-in-case [engine]
SELECT CASE WHEN user_id > 1 THEN getenv('HOME') ELSE 'x' END FROM users
-- name: getenv-in-order [engine]
SELECT user_id FROM users ORDER BY getenv('HOME')
-- name: getenv-in-cte [engine]
WITH e AS (SELECT getenv('HOME') AS h) SELECT * FROM e
-- name: getenv-schema-qualified [engine]
SELECT main.getenv('HOME')
-- name: current-setting
SELECT current_setting('memory_limit')
-- name: current-setting-in-subquery
SELECT user_id FROM users WHERE user_id > (SELECT length(current_setting('threads')))
-- name: duckdb-settings
SELECT * FROM duckdb_settings()
-- name: duckdb-secrets [engine]
SELECT * FROM duckdb_secrets()
-- name: duckdb-extensions [engine]
SELECT * FROM duckdb_extensions()
-- name: duckdb-tables-function
SELECT * FROM duckdb_tables()
-- name: duckdb-databases
SELECT database_name, path FROM duckdb_databases()
-- name: pragma-table-info-function
SELECT * FROM pragma_table_info('users')
-- name: pragma-database-size
SELECT * FROM pragma_database_size()
-- name: which-secret
SELECT which_secret('s3://x', 's3')
-- name: version
SELECT version()
-- name: current-user
SELECT current_user
-- name: current-database
SELECT current_database()
-- name: nextval
SELECT nextval('s')
-- name: setseed
SELECT setseed(0.5)
-- name: pg-read-file
SELECT pg_read_file('/etc/passwd')
-- name: pg-sleep
SELECT pg_sleep(100)
-- name: pg-ls-dir
SELECT * FROM pg_ls_dir('/')
-- name: set-config
SELECT set_config('search_path', 'x', false)
-- name: lo-import
SELECT lo_import('/etc/passwd')
-- name: load-extension-sqlite
SELECT load_extension('evil.so')
-- name: json-execute-serialized
SELECT json_execute_serialized_sql('{}')
-- name: getenv-in-having [engine]
SELECT country, count(*) FROM users GROUP BY country HAVING max(getenv('X')) IS NULL
-- name: getenv-in-window [engine]
SELECT row_number() OVER (ORDER BY getenv('HOME')) FROM users
-- name: getenv-in-join-on [engine]
SELECT u.user_id FROM users u JOIN events e ON e.user_id = u.user_id AND getenv('X') = 'y' WHERE e.ds = DATE '2024-03-01'
-- name: non-catalog-table
SELECT * FROM secrets_not_in_catalog
-- name: non-catalog-table-upper
SELECT * FROM SECRETS_NOT_IN_CATALOG
-- name: non-catalog-table-quoted
SELECT * FROM "secrets_not_in_catalog"
-- name: non-catalog-table-qualified
SELECT * FROM main.secrets_not_in_catalog
-- name: non-catalog-in-subquery
SELECT * FROM users WHERE country IN (SELECT password FROM secrets_not_in_catalog)
-- name: non-catalog-in-cte
WITH s AS (SELECT * FROM secrets_not_in_catalog) SELECT * FROM s
-- name: non-catalog-in-exists
SELECT user_id FROM users WHERE EXISTS (SELECT 1 FROM secrets_not_in_catalog)
-- name: non-catalog-in-union
SELECT country FROM users UNION SELECT password FROM secrets_not_in_catalog
-- name: non-catalog-in-scalar-subquery
SELECT (SELECT max(password) FROM secrets_not_in_catalog) AS p
-- name: catalog-name-qualified-other-db
SELECT * FROM other.main.users
-- name: information-schema-tables
SELECT * FROM information_schema.tables
-- name: information-schema-columns
SELECT column_name FROM information_schema.columns
-- name: pg-catalog
SELECT * FROM pg_catalog.pg_tables
-- name: duckdb-tables-view
SELECT * FROM duckdb_tables
-- name: sqlite-master
SELECT * FROM sqlite_master
-- name: cte-name-used-before-definition
WITH a AS (SELECT * FROM secrets_not_in_catalog), secrets_not_in_catalog AS (SELECT 1 AS x) SELECT * FROM a
-- name: cte-name-from-inner-scope-used-outside
SELECT * FROM (WITH secrets_not_in_catalog AS (SELECT 1 AS x) SELECT * FROM secrets_not_in_catalog) t, secrets_not_in_catalog
-- name: comment-hidden-stacked [engine]
/* SELECT only */ SELECT 1 /* ; */ ; DROP TABLE users
-- name: comment-inside-keyword-drop [engine]
DROP/**/TABLE/**/users
-- name: leading-line-comment-drop [engine]
-- just a select
DROP TABLE users
-- name: comment-looking-select [engine]
/* SELECT * FROM users */ DELETE FROM users
-- name: case-tricks-delete [engine]
dElEtE fRoM uSeRs
-- name: tabs-and-newlines-drop [engine]
	DROP
	TABLE
	users
-- name: quoted-table-name-drop [engine]
DROP TABLE "users"
-- name: backtick-insert [engine]
INSERT INTO `users` VALUES (1, 'x', DATE '2024-01-01')
-- name: nbsp-in-statement [engine]
SELECT 1; DROP TABLE users
-- name: zero-width-space-in-keyword
SELECT 1; D​R​OP TABLE users
-- name: fullwidth-semicolon
SELECT 1； DROP TABLE users
-- name: unicode-homoglyph-select
ЅELECT * FROM users
-- name: string-with-semicolon-then-drop [engine]
SELECT 'a;b' AS s; DROP TABLE users
-- name: dollar-quoted-drop [engine]
SELECT $$x$$; DROP TABLE users
-- name: parenthesized-delete
(DELETE FROM users)
-- name: values-then-insert [engine]
VALUES (1); INSERT INTO users VALUES (1, 'x', DATE '2024-01-01')
-- name: explain-analyze-delete [engine]
EXPLAIN ANALYZE DELETE FROM users
-- name: explain-select
EXPLAIN SELECT * FROM users
-- name: grant [engine]
GRANT SELECT ON users TO public
-- name: revoke [engine]
REVOKE SELECT ON users FROM public
-- name: kill
KILL 1
-- name: upsert-on-conflict [engine]
INSERT INTO users VALUES (1, 'x', DATE '2024-01-01') ON CONFLICT DO NOTHING
-- name: create-table-as-cte [engine]
CREATE TABLE t AS WITH x AS (SELECT 1 AS a) SELECT * FROM x
-- name: deep-delete-in-exists [engine]
SELECT 1 WHERE EXISTS (SELECT 1 FROM (WITH d AS (DELETE FROM users RETURNING 1) SELECT * FROM d) q)
-- name: cte-full-width-name-does-not-shadow
WITH ｓecrets_not_in_catalog AS (SELECT 1 AS x) SELECT * FROM secrets_not_in_catalog
-- name: full-width-catalog-table-look-alike
SELECT * FROM ｕｓｅｒｓ
-- name: attach-memory
ATTACH ':memory:' AS scratch
-- name: sqlite-scan
SELECT * FROM sqlite_scan('{tmp}/x.db', 't')
-- name: postgres-scan
SELECT * FROM postgres_scan('host=localhost', 'public', 't')
-- name: iceberg-scan
SELECT * FROM iceberg_scan('s3://bucket/t')
-- name: delta-scan
SELECT * FROM delta_scan('{tmp}/t')
-- name: read-xlsx [engine]
SELECT * FROM read_xlsx('{tmp}/x.xlsx')
-- name: read-csv-list [engine]
SELECT * FROM read_csv(['/etc/passwd', '/etc/hosts'])
-- name: http-get
SELECT http_get('https://example.invalid')
-- name: json-each-table-function
SELECT * FROM json_each('{"a": 1}')
-- name: duckdb-functions
SELECT function_name FROM duckdb_functions()
-- name: pragma-version-table
SELECT * FROM pragma_version()
-- name: current-setting-access-mode
SELECT current_setting('access_mode') AS m
-- name: natural-join-non-catalog
SELECT * FROM users NATURAL JOIN secrets_not_in_catalog
-- name: lateral-subquery-non-catalog
SELECT * FROM users u, LATERAL (SELECT * FROM secrets_not_in_catalog) s
-- name: quoted-qualified-non-catalog
SELECT * FROM "main"."secrets_not_in_catalog"
-- name: table-statement
TABLE secrets_not_in_catalog
-- name: show-all-tables
SHOW ALL TABLES
-- name: summarize-query
SUMMARIZE SELECT * FROM users
-- name: call-duckdb-secrets
CALL duckdb_secrets()
-- name: set-variable
SET VARIABLE x = 1
-- name: stacked-commit
SELECT country FROM users; COMMIT
