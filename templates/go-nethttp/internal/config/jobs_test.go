package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestJobsDefaultsFollowTheContract(t *testing.T) {
	cfg, err := Load(env(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	want := Jobs{
		InProcess: true, PollInterval: time.Second, WorkerPort: 9100, Timeout: 5 * time.Second,
		MaxAttempts: 10, BackoffBase: time.Second, BackoffMax: time.Hour, AllowLoopback: false,
	}
	if cfg.Jobs != want {
		t.Errorf("jobs %+v, want %+v", cfg.Jobs, want)
	}
}

func TestJobsSettingsAreRead(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"JOBS_WORKER": "OFF", "JOBS_POLL_INTERVAL_MS": "50", "WEBHOOK_TIMEOUT_SECONDS": "0.25",
		"WEBHOOK_MAX_ATTEMPTS": "3", "WEBHOOK_BACKOFF_BASE_MS": "20", "WEBHOOK_ALLOW_LOOPBACK": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	j := cfg.Jobs
	if j.InProcess || j.PollInterval != 50*time.Millisecond || j.Timeout != 250*time.Millisecond ||
		j.MaxAttempts != 3 || j.BackoffBase != 20*time.Millisecond || !j.AllowLoopback {
		t.Errorf("settings not read: %+v", j)
	}
}

func TestBadJobsSettingsAreRefused(t *testing.T) {
	for key, value := range map[string]string{
		"JOBS_WORKER": "sometimes", "WEBHOOK_MAX_ATTEMPTS": "0", "WEBHOOK_TIMEOUT_SECONDS": "x",
		"WEBHOOK_ALLOW_LOOPBACK": "maybe", "WORKER_PORT": "70000",
	} {
		if _, err := Load(env(map[string]string{key: value})); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s=%s: error %v, want one naming %s", key, value, err, key)
		}
	}
}

func TestProductionRefusesLoopbackDeliveries(t *testing.T) {
	_, err := Load(env(map[string]string{
		"APP_ENV": "production", "JWT_SECRET": strings.Repeat("s", 32),
		"DATABASE_URL": "sqlite:///x.db", "WEBHOOK_ALLOW_LOOPBACK": "true",
	}))
	if !errors.Is(err, ErrLoopbackInProduction) {
		t.Errorf("error %v, want ErrLoopbackInProduction", err)
	}
}
