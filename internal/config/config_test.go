package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://localhost:5432/cloudroute?sslmode=disable" || c.RedisURL != "redis://localhost:6379/0" || c.HTTPAddr != ":8080" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.IntakeRateWindow != time.Minute || c.IntakeRateLimit != 120 {
		t.Fatalf("rate defaults: %+v", c)
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	_, err := Load(env(map[string]string{
		"DATABASE_URL": "mysql://x", "REDIS_URL": "http://x", "LOG_LEVEL": "loud",
		"INTAKE_RATE_LIMIT": "-1", "SHUTDOWN_GRACE": "soon", "TRUSTED_PROXIES": "10.0.0.0/8,nope",
		"CLOUDROUTE_BOOTSTRAP_ADMIN_KEY": "short",
	}))
	if err == nil {
		t.Fatal("want error")
	}
	for _, k := range []string{"DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "INTAKE_RATE_LIMIT", "SHUTDOWN_GRACE", "TRUSTED_PROXIES", "CLOUDROUTE_BOOTSTRAP_ADMIN_KEY"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
}
