package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Jobs configures the background worker that delivers webhooks.
type Jobs struct {
	// InProcess runs the worker inside the API server (JOBS_WORKER=inprocess,
	// the default); with JOBS_WORKER=off only `worker` delivers.
	InProcess    bool
	PollInterval time.Duration
	// WorkerPort is where the separate worker serves /healthz and /metrics.
	WorkerPort int
	// Timeout bounds the connect and the read of one attempt, each.
	Timeout     time.Duration
	MaxAttempts int
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// AllowLoopback lifts the SSRF guard for 127.0.0.0/8 and ::1 only
	// (development and tests); production refuses to start with it.
	AllowLoopback bool
}

// ErrLoopbackInProduction keeps a production server from delivering to itself.
var ErrLoopbackInProduction = errors.New("WEBHOOK_ALLOW_LOOPBACK=true is for development and tests only: unset it when APP_ENV=production")

func loadJobs(getenv func(string) string, production bool) (Jobs, error) {
	var j Jobs
	var errs []error

	switch mode := strings.ToLower(orDefault(getenv("JOBS_WORKER"), "inprocess")); mode {
	case "inprocess":
		j.InProcess = true
	case "off":
	default:
		errs = append(errs, fmt.Errorf("JOBS_WORKER must be inprocess or off, got %q", getenv("JOBS_WORKER")))
	}

	var err error
	j.PollInterval, err = millisInRange("JOBS_POLL_INTERVAL_MS", orDefault(getenv("JOBS_POLL_INTERVAL_MS"), "1000"), 10, 3_600_000)
	errs = append(errs, err)
	j.WorkerPort, err = intInRange("WORKER_PORT", orDefault(getenv("WORKER_PORT"), "9100"), 1, 65535)
	errs = append(errs, err)
	// Fractions are allowed so that tests can time out in milliseconds.
	j.Timeout, err = secondsInRange("WEBHOOK_TIMEOUT_SECONDS", orDefault(getenv("WEBHOOK_TIMEOUT_SECONDS"), "5"), 0.01, 300)
	errs = append(errs, err)
	j.MaxAttempts, err = intInRange("WEBHOOK_MAX_ATTEMPTS", orDefault(getenv("WEBHOOK_MAX_ATTEMPTS"), "10"), 1, 100)
	errs = append(errs, err)
	j.BackoffBase, err = millisInRange("WEBHOOK_BACKOFF_BASE_MS", orDefault(getenv("WEBHOOK_BACKOFF_BASE_MS"), "1000"), 1, 86_400_000)
	errs = append(errs, err)
	j.BackoffMax, err = millisInRange("WEBHOOK_BACKOFF_MAX_MS", orDefault(getenv("WEBHOOK_BACKOFF_MAX_MS"), "3600000"), 1, 7*86_400_000)
	errs = append(errs, err)

	raw := orDefault(getenv("WEBHOOK_ALLOW_LOOPBACK"), "false")
	j.AllowLoopback, err = strconv.ParseBool(raw)
	if err != nil {
		errs = append(errs, fmt.Errorf("WEBHOOK_ALLOW_LOOPBACK must be true or false, got %q", raw))
	}
	if j.AllowLoopback && production {
		errs = append(errs, ErrLoopbackInProduction)
	}
	return j, errors.Join(errs...)
}

func millisInRange(name, raw string, lo, hi int) (time.Duration, error) {
	n, err := intInRange(name, raw, lo, hi)
	return time.Duration(n) * time.Millisecond, err
}
