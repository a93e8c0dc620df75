// Package config turns the process environment into one typed Config.
//
// The environment is the only source: cmd/ loads `.env` into it first (values
// already set win), so tests can hand Load a map and never touch the real
// environment. Every value is validated here, once, so the rest of the code
// never parses a string from the environment.
package config

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseURL is a SQLite file under ./data, created on first start.
const DefaultDatabaseURL = "sqlite:///./data/app.db"

// Config is everything the server reads from its environment.
type Config struct {
	Port           int
	DatabaseURL    string
	JWTSecret      []byte
	JWTTTL         time.Duration
	LogLevel       slog.Level
	AppEnv         string
	MigrateOnStart bool
	// JWTSecretGenerated is true when JWT_SECRET was empty in development and
	// a random per-process secret was made: tokens die with the process.
	JWTSecretGenerated bool
}

// Production reports whether APP_ENV asks for production behaviour.
func (c Config) Production() bool { return c.AppEnv == "production" }

// ErrMissingSecret is returned in production when JWT_SECRET is empty.
var ErrMissingSecret = errors.New("JWT_SECRET must be set when APP_ENV=production")

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	cfg := Config{
		DatabaseURL: orDefault(getenv("DATABASE_URL"), DefaultDatabaseURL),
		AppEnv:      strings.ToLower(orDefault(getenv("APP_ENV"), "development")),
	}
	var errs []error

	port, err := intInRange("PORT", orDefault(getenv("PORT"), "8080"), 1, 65535)
	errs = append(errs, err)
	cfg.Port = port

	ttl, err := intInRange("JWT_TTL_SECONDS", orDefault(getenv("JWT_TTL_SECONDS"), "900"), 1, 7*24*3600)
	errs = append(errs, err)
	cfg.JWTTTL = time.Duration(ttl) * time.Second

	level, err := parseLevel(orDefault(getenv("LOG_LEVEL"), "info"))
	errs = append(errs, err)
	cfg.LogLevel = level

	migrate, err := strconv.ParseBool(orDefault(getenv("MIGRATE_ON_START"), "true"))
	if err != nil {
		err = fmt.Errorf("MIGRATE_ON_START must be true or false, got %q", getenv("MIGRATE_ON_START"))
	}
	errs = append(errs, err)
	cfg.MigrateOnStart = migrate

	if secret := getenv("JWT_SECRET"); secret != "" {
		cfg.JWTSecret = []byte(secret)
	} else if cfg.Production() {
		errs = append(errs, ErrMissingSecret)
	} else {
		cfg.JWTSecret = []byte(rand.Text())
		cfg.JWTSecretGenerated = true
	}

	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func orDefault(value, fallback string) string {
	if strings.TrimSpace(value) == "" {
		return fallback
	}
	return strings.TrimSpace(value)
}

func intInRange(name, raw string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be an integer between %d and %d, got %q", name, lo, hi, raw)
	}
	return n, nil
}

func parseLevel(raw string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(raw)); err != nil {
		return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", raw)
	}
	return level, nil
}
