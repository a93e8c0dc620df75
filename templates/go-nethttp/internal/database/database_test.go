package database

import (
	"strings"
	"testing"
)

func TestParseURLPicksTheDriver(t *testing.T) {
	cases := []struct {
		url, dialect, driver, dsnPrefix string
	}{
		{"postgres://app:app@localhost:5432/app", "postgres", "pgx", "postgres://app:app@localhost:5432/app"},
		{"postgresql://app:app@localhost/app", "postgres", "pgx", "postgresql://"},
		{"sqlite:///./data/app.db", "sqlite", "sqlite", "file:./data/app.db?"},
		{"sqlite:////var/lib/app/app.db", "sqlite", "sqlite", "file:/var/lib/app/app.db?"},
		{"sqlite:///:memory:", "sqlite", "sqlite", "file::memory:?"},
	}
	for _, c := range cases {
		dialect, driver, dsn, err := parseURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if string(dialect) != c.dialect || driver != c.driver || !strings.HasPrefix(dsn, c.dsnPrefix) {
			t.Errorf("%s: got %s %s %s", c.url, dialect, driver, dsn)
		}
	}
}

func TestSQLiteDSNTurnsOnForeignKeys(t *testing.T) {
	_, _, dsn, _ := parseURL("sqlite:///./data/app.db")
	for _, want := range []string{"foreign_keys%281%29", "busy_timeout", "journal_mode%28WAL%29"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("DSN %s lacks %s", dsn, want)
		}
	}
}

func TestParseURLRejectsOtherSchemes(t *testing.T) {
	for _, url := range []string{"", "mysql://x", "./app.db", "sqlite://"} {
		if err := CheckURL(url); err == nil {
			t.Errorf("%q accepted", url)
		}
	}
}

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c = ? LIMIT ?"
	if got := SQLite.Rebind(q); got != q {
		t.Errorf("sqlite rebind changed the query: %s", got)
	}
	if got, want := Postgres.Rebind(q), "SELECT a FROM t WHERE b = $1 AND c = $2 LIMIT $3"; got != want {
		t.Errorf("postgres rebind = %s, want %s", got, want)
	}
}
