// Package migrations embeds the SQL schema, one folder per database dialect.
//
// Both folders describe the same schema; goose applies the one that matches
// DATABASE_URL (see internal/database). Add a migration to both when the
// schema changes: `goose -dir migrations/sqlite create add_something sql`.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
