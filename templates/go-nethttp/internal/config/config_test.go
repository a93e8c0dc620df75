package config

import (
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

func env(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

// strongSecret is exactly MinProductionSecretBytes long.
var strongSecret = strings.Repeat("k", MinProductionSecretBytes)

func TestDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "127.0.0.1" || cfg.Port != 8080 || cfg.DatabaseURL != DefaultDatabaseURL || cfg.JWTTTL != 15*time.Minute ||
		cfg.LogLevel != slog.LevelInfo || cfg.AppEnv != "development" || !cfg.MigrateOnStart {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if cfg.HashConcurrency != max(runtime.GOMAXPROCS(0), 1) || cfg.HashQueueTimeout != 5*time.Second || cfg.AuthRateLimitPerIP != 100 {
		t.Errorf("unexpected limit defaults: %+v", cfg)
	}
	if !cfg.JWTSecretGenerated || len(cfg.JWTSecret) < MinProductionSecretBytes/2 {
		t.Errorf("development without JWT_SECRET should get a random secret")
	}
}

func TestProductionRefusesAMissingOrShortSecret(t *testing.T) {
	cases := []struct {
		name   string
		appEnv string
		secret string
		want   error
	}{
		{"missing", "production", "", ErrMissingSecret},
		{"31 bytes", "production", strongSecret[1:], ErrWeakSecret},
		{"one byte", "production", "x", ErrWeakSecret},
		{"31 bytes, APP_ENV in capitals", "PRODUCTION", strongSecret[1:], ErrWeakSecret},
		{"missing, APP_ENV padded", " Production ", "", ErrMissingSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{"APP_ENV": c.appEnv, "JWT_SECRET": c.secret, "DATABASE_URL": "sqlite:///./x.db"}))
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), "openssl rand -hex 32") {
				t.Errorf("the refusal does not say how to make a secret: %v", err)
			}
		})
	}
}

func TestProductionAcceptsA32ByteSecret(t *testing.T) {
	cfg, err := Load(env(map[string]string{"APP_ENV": "production", "JWT_SECRET": strongSecret, "DATABASE_URL": "sqlite:///./x.db"}))
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.JWTSecret) != strongSecret || cfg.JWTSecretGenerated || !cfg.Production() {
		t.Errorf("production with a 32-byte secret: %+v", cfg)
	}
}

func TestProductionRefusesAMissingDatabaseURL(t *testing.T) {
	_, err := Load(env(map[string]string{"APP_ENV": "production", "JWT_SECRET": strongSecret}))
	if !errors.Is(err, ErrMissingDBURL) {
		t.Fatalf("err = %v, want ErrMissingDBURL", err)
	}
}

func TestInvalidValuesAreReportedTogether(t *testing.T) {
	bad := map[string]string{
		"PORT": "http", "JWT_TTL_SECONDS": "0", "LOG_LEVEL": "loud", "MIGRATE_ON_START": "maybe",
		"HASH_CONCURRENCY": "0", "HASH_QUEUE_TIMEOUT_SECONDS": "-1", "AUTH_RATE_LIMIT_PER_IP": "lots",
	}
	_, err := Load(env(bad))
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for name := range bad {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not mention %s: %v", name, err)
		}
	}
}

func TestHashQueueTimeoutTakesFractionsOfASecond(t *testing.T) {
	cfg, err := Load(env(map[string]string{"HASH_QUEUE_TIMEOUT_SECONDS": "0.25"}))
	if err != nil || cfg.HashQueueTimeout != 250*time.Millisecond {
		t.Errorf("HASH_QUEUE_TIMEOUT_SECONDS=0.25: %v, %v", cfg.HashQueueTimeout, err)
	}
	for _, bad := range []string{"NaN", "Inf", "301", "-0.5", "5s"} {
		if _, err := Load(env(map[string]string{"HASH_QUEUE_TIMEOUT_SECONDS": bad})); err == nil {
			t.Errorf("HASH_QUEUE_TIMEOUT_SECONDS=%s accepted", bad)
		}
	}
}

func TestOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"HOST": "0.0.0.0", "PORT": "18080", "JWT_TTL_SECONDS": "60", "LOG_LEVEL": "debug", "MIGRATE_ON_START": "false",
		"DATABASE_URL": "postgres://a:b@h:5432/d", "HASH_CONCURRENCY": "3", "HASH_QUEUE_TIMEOUT_SECONDS": "0",
		"AUTH_RATE_LIMIT_PER_IP": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "0.0.0.0" || cfg.Port != 18080 || cfg.JWTTTL != time.Minute || cfg.LogLevel != slog.LevelDebug ||
		cfg.MigrateOnStart || cfg.DatabaseURL != "postgres://a:b@h:5432/d" ||
		cfg.HashConcurrency != 3 || cfg.HashQueueTimeout != 0 || cfg.AuthRateLimitPerIP != 0 {
		t.Errorf("overrides ignored: %+v", cfg)
	}
}
