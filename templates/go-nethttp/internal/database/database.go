// Package database opens the one *sql.DB the service uses and migrates it.
//
// DATABASE_URL alone picks the driver: `postgres://` (or `postgresql://`)
// goes to pgx through its database/sql adapter, `sqlite://` to the pure-Go
// modernc.org/sqlite driver (no cgo, so the binary stays static). Everything
// above this package writes portable SQL with `?` placeholders and lets
// Rebind translate them, so SQLite and PostgreSQL share one code path.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a connection pool that knows its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
}

// Open parses url, opens the pool and checks that the database answers.
func Open(ctx context.Context, url string) (*DB, error) {
	dialect, driver, dsn, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		if err := ensureParentDir(dsn); err != nil {
			return nil, err
		}
	}
	pool, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if dialect == Postgres {
		pool.SetMaxOpenConns(10)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.PingContext(pingCtx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &DB{DB: pool, Dialect: dialect}, nil
}

// Rebind turns the portable `?` placeholders of query into the dialect's own
// (`$1, $2, ...` for PostgreSQL). Queries here never contain a literal `?`.
func (d Dialect) Rebind(query string) string {
	if d != Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CheckURL reports whether url names a supported database.
func CheckURL(url string) error {
	_, _, _, err := parseURL(url)
	return err
}

// parseURL maps DATABASE_URL to a dialect, a database/sql driver name and the
// driver's DSN.
func parseURL(raw string) (Dialect, string, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return Postgres, "pgx", raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		dsn, err := sqliteDSN(raw)
		return SQLite, "sqlite", dsn, err
	default:
		return "", "", "", errors.New("DATABASE_URL must start with sqlite:// or postgres:// (e.g. sqlite:///./data/app.db)")
	}
}

// sqliteDSN follows SQLAlchemy's spelling: `sqlite:///relative/path.db`,
// `sqlite:////absolute/path.db`, `sqlite:///:memory:`. It turns on foreign
// keys, WAL and a busy timeout on every connection of the pool.
func sqliteDSN(raw string) (string, error) {
	rest := strings.TrimPrefix(raw, "sqlite:")
	rest = strings.TrimPrefix(rest, "//")
	rest = strings.TrimPrefix(rest, "/")
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return "", errors.New("DATABASE_URL names no SQLite file (e.g. sqlite:///./data/app.db)")
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL query string: %w", err)
	}
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "busy_timeout(5000)")
	if path != ":memory:" {
		params.Add("_pragma", "journal_mode(WAL)")
	}
	params.Set("_time_format", "sqlite")
	// BEGIN IMMEDIATE: a transaction that reads before it writes (an update,
	// a claim) takes the write lock at once and waits busy_timeout for it,
	// instead of failing with SQLITE_BUSY when it later tries to write.
	params.Set("_txlock", "immediate")
	return "file:" + path + "?" + params.Encode(), nil
}

func ensureParentDir(dsn string) error {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == ":memory:" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("create the directory for the SQLite file: %w", err)
	}
	return nil
}

// Now is the timestamp the stores write: UTC, truncated to the microsecond
// that PostgreSQL keeps, so a value reads back exactly as it was written.
func Now() time.Time {
	return time.Now().UTC().Truncate(time.Microsecond)
}
