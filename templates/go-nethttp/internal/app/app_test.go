package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestMainRejectsAnUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"frobnicate"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "usage:") {
		t.Errorf("no usage on stderr: %q", stderr.String())
	}
}

func TestMainRefusesProductionWithoutASecret(t *testing.T) {
	t.Setenv("APP_ENV", "production")
	t.Setenv("JWT_SECRET", "")
	var stdout, stderr bytes.Buffer
	if code := Main(nil, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	var entry map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &entry); err != nil {
		t.Fatalf("the refusal is not a JSON log line: %q", stdout.String())
	}
	if entry["level"] != "ERROR" || !strings.Contains(stdout.String(), "JWT_SECRET") {
		t.Errorf("unclear refusal: %v", entry)
	}
}
