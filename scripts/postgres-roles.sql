-- Caseload's PostgreSQL roles (docs/security.md, "Database roles").
--
--   caseload_owner  owns the database and every table; runs `caseload migrate` and nothing else.
--   caseload_app    what the application's DATABASE_URL signs in as: reads and writes rows, but
--                   owns nothing, so it cannot ALTER, DROP or TRUNCATE a table, disable a
--                   trigger or set session_replication_role; and it may only append to the
--                   audit trail (no UPDATE, DELETE or TRUNCATE of audit_auditevent, no DELETE
--                   or TRUNCATE of the chain head).
--
-- Run as a superuser in Caseload's database after the first `caseload migrate` (run as
-- caseload_owner), and again after any migration that adds a table owned by another role:
--
--   createdb -O caseload_owner caseload
--   DATABASE_URL=postgres://caseload_owner:…@db/caseload caseload migrate
--   psql -d caseload -v ON_ERROR_STOP=1 -f scripts/postgres-roles.sql
--   psql -d caseload -c "ALTER ROLE caseload_app PASSWORD '…'"   (or your own authentication)
--
-- The default privileges below give caseload_app the same rights on tables that later
-- migrations (run as caseload_owner) create.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caseload_owner') THEN
    CREATE ROLE caseload_owner LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caseload_app') THEN
    CREATE ROLE caseload_app LOGIN;
  END IF;
END
$$;

ALTER ROLE caseload_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO caseload_owner;
GRANT USAGE ON SCHEMA public TO caseload_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO caseload_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO caseload_app;
ALTER DEFAULT PRIVILEGES FOR ROLE caseload_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO caseload_app;
ALTER DEFAULT PRIVILEGES FOR ROLE caseload_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO caseload_app;

-- The audit trail: append only.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM caseload_app;
REVOKE DELETE, TRUNCATE ON audit_auditchainhead FROM caseload_app;
