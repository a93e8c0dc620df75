-- Run once by the postgres image when docker-compose.yml's `db` volume is first created:
-- creates the database the tests use by default
-- (TEST_DATABASE_URL=postgres://app:app@localhost:5432/app_test), unless it already exists.
SELECT 'CREATE DATABASE app_test OWNER app'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'app_test')\gexec
