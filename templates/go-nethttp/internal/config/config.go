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
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseURL is a SQLite file under ./data, created on first start.
// It is a development default only: production must name its database.
const DefaultDatabaseURL = "sqlite:///./data/app.db"

// MinProductionSecretBytes is the shortest JWT_SECRET production accepts:
// RFC 7518 §3.2 asks for an HS256 key of at least the hash size, 256 bits.
const MinProductionSecretBytes = 32

// Config is everything the server reads from its environment.
type Config struct {
	// Host is the address to listen on: 127.0.0.1 by default, so a
	// development server is not reachable from the network; the container
	// image sets HOST=0.0.0.0.
	Host           string
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
	// HashConcurrency is how many argon2id hashes may run at once (each
	// takes 19 MiB); HashQueueTimeout is how long a request waits for a
	// free slot before it is answered 503.
	HashConcurrency  int
	HashQueueTimeout time.Duration
	// AuthRateLimitPerIP caps register + login requests per client IP per
	// minute; 0 turns the limit off.
	AuthRateLimitPerIP int
}

// Production reports whether APP_ENV asks for production behaviour.
func (c Config) Production() bool { return c.AppEnv == "production" }

// Errors that keep a production server from starting. Each says how to fix it.
var (
	ErrMissingSecret = errors.New("JWT_SECRET must be set when APP_ENV=production; make one with: openssl rand -hex 32")
	ErrWeakSecret    = fmt.Errorf("JWT_SECRET must be at least %d bytes when APP_ENV=production; make one with: openssl rand -hex 32", MinProductionSecretBytes)
	ErrMissingDBURL  = errors.New("DATABASE_URL must be set when APP_ENV=production (e.g. postgres://user:password@host:5432/dbname or sqlite:///./data/app.db)")
)

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	cfg := Config{
		Host:   orDefault(getenv("HOST"), "127.0.0.1"),
		AppEnv: strings.ToLower(orDefault(getenv("APP_ENV"), "development")),
	}
	var errs []error

	cfg.DatabaseURL = strings.TrimSpace(getenv("DATABASE_URL"))
	if cfg.DatabaseURL == "" {
		if cfg.Production() {
			// A forgotten variable must fail loudly, not write to a throwaway
			// SQLite file inside the container.
			errs = append(errs, ErrMissingDBURL)
		}
		cfg.DatabaseURL = DefaultDatabaseURL
	}

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

	// GOMAXPROCS is the CPU count, or the container's CPU limit (Go 1.25+),
	// so the default fits the cores the process may really use.
	hashes, err := intInRange("HASH_CONCURRENCY", orDefault(getenv("HASH_CONCURRENCY"), strconv.Itoa(max(runtime.GOMAXPROCS(0), 1))), 1, 1024)
	errs = append(errs, err)
	cfg.HashConcurrency = hashes

	wait, err := secondsInRange("HASH_QUEUE_TIMEOUT_SECONDS", orDefault(getenv("HASH_QUEUE_TIMEOUT_SECONDS"), "5"), 0, 300)
	errs = append(errs, err)
	cfg.HashQueueTimeout = wait

	perIP, err := intInRange("AUTH_RATE_LIMIT_PER_IP", orDefault(getenv("AUTH_RATE_LIMIT_PER_IP"), "100"), 0, 1_000_000)
	errs = append(errs, err)
	cfg.AuthRateLimitPerIP = perIP

	// The secret is used as given (no trimming): its bytes are the key.
	secret := getenv("JWT_SECRET")
	switch {
	case secret == "" && cfg.Production():
		errs = append(errs, ErrMissingSecret)
	case secret == "":
		cfg.JWTSecret = []byte(rand.Text())
		cfg.JWTSecretGenerated = true
	case len(secret) < MinProductionSecretBytes && cfg.Production():
		errs = append(errs, ErrWeakSecret)
	default:
		cfg.JWTSecret = []byte(secret)
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

// secondsInRange reads a duration in seconds, fractions allowed ("0.5").
func secondsInRange(name, raw string, lo, hi float64) (time.Duration, error) {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(n) || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a number of seconds between %g and %g, got %q", name, lo, hi, raw)
	}
	return time.Duration(n * float64(time.Second)), nil
}

func parseLevel(raw string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(raw)); err != nil {
		return 0, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", raw)
	}
	return level, nil
}
