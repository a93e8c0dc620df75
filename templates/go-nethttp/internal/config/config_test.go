package config

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 8080 || cfg.DatabaseURL != DefaultDatabaseURL || cfg.JWTTTL != 15*time.Minute ||
		cfg.LogLevel != slog.LevelInfo || cfg.AppEnv != "development" || !cfg.MigrateOnStart {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if !cfg.JWTSecretGenerated || len(cfg.JWTSecret) < 16 {
		t.Errorf("development without JWT_SECRET should get a random secret")
	}
}

func TestProductionRefusesToStartWithoutASecret(t *testing.T) {
	_, err := Load(env(map[string]string{"APP_ENV": "production"}))
	if !errors.Is(err, ErrMissingSecret) {
		t.Fatalf("err = %v, want ErrMissingSecret", err)
	}
	cfg, err := Load(env(map[string]string{"APP_ENV": "production", "JWT_SECRET": "s3cret"}))
	if err != nil || string(cfg.JWTSecret) != "s3cret" || cfg.JWTSecretGenerated {
		t.Errorf("production with a secret: %+v, %v", cfg, err)
	}
}

func TestInvalidValuesAreReportedTogether(t *testing.T) {
	_, err := Load(env(map[string]string{"PORT": "http", "JWT_TTL_SECONDS": "0", "LOG_LEVEL": "loud", "MIGRATE_ON_START": "maybe"}))
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, name := range []string{"PORT", "JWT_TTL_SECONDS", "LOG_LEVEL", "MIGRATE_ON_START"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not mention %s: %v", name, err)
		}
	}
}

func TestOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{"PORT": "18080", "JWT_TTL_SECONDS": "60", "LOG_LEVEL": "debug", "MIGRATE_ON_START": "false", "DATABASE_URL": "postgres://a:b@h:5432/d"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 18080 || cfg.JWTTTL != time.Minute || cfg.LogLevel != slog.LevelDebug || cfg.MigrateOnStart || cfg.DatabaseURL != "postgres://a:b@h:5432/d" {
		t.Errorf("overrides ignored: %+v", cfg)
	}
}
