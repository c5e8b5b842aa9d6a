package config

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
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
	if c.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("METRICS_ADDR default %q, want loopback 127.0.0.1:9090", c.MetricsAddr)
	}
}

func TestLoadMetricsAddr(t *testing.T) {
	for _, tc := range []struct {
		name, env, want string
	}{
		{"unset", "", "127.0.0.1:9090"},
		{"blank", "  ", "127.0.0.1:9090"},
		{"all interfaces", ":9100", ":9100"},
		{"a host", "10.0.0.5:9090", "10.0.0.5:9090"},
		{"ipv6 loopback", "[::1]:9090", "[::1]:9090"},
		{"a free port", "127.0.0.1:0", "127.0.0.1:0"},
		{"off", "off", ""},
		{"OFF", "OFF", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"METRICS_ADDR": tc.env}))
			if err != nil {
				t.Fatal(err)
			}
			if c.MetricsAddr != tc.want {
				t.Fatalf("MetricsAddr %q, want %q", c.MetricsAddr, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"no port", map[string]string{"METRICS_ADDR": "127.0.0.1"}},
		{"a port only", map[string]string{"METRICS_ADDR": "9090"}},
		{"port not a number", map[string]string{"METRICS_ADDR": "127.0.0.1:metrics"}},
		{"port out of range", map[string]string{"METRICS_ADDR": "127.0.0.1:70000"}},
		{"a URL", map[string]string{"METRICS_ADDR": "http://127.0.0.1:9090/metrics"}},
		{"the public address", map[string]string{"METRICS_ADDR": ":8080"}},
		{"the public address, set", map[string]string{"METRICS_ADDR": "127.0.0.1:8081", "HTTP_ADDR": "127.0.0.1:8081"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
				t.Fatalf("error %v, want one naming METRICS_ADDR", err)
			}
		})
	}
}

func TestLoadReportsEveryBadValue(t *testing.T) {
	_, err := Load(env(map[string]string{
		"DATABASE_URL": "mysql://x", "REDIS_URL": "http://x", "LOG_LEVEL": "loud",
		"INTAKE_RATE_LIMIT": "-1", "SHUTDOWN_GRACE": "soon", "TRUSTED_PROXIES": "10.0.0.0/8,nope",
		"CLOUDROUTE_BOOTSTRAP_ADMIN_KEY": "short", "METRICS_ADDR": "nine",
		"CLOUDROUTE_SECRET_KEY": "too-short",
	}))
	if err == nil {
		t.Fatal("want error")
	}
	for _, k := range []string{"DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "INTAKE_RATE_LIMIT", "SHUTDOWN_GRACE", "TRUSTED_PROXIES", "CLOUDROUTE_BOOTSTRAP_ADMIN_KEY", "METRICS_ADDR", "CLOUDROUTE_SECRET_KEY"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
}

func TestLoadSecretKey(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i * 7)
	}
	long := append(append([]byte{}, key...), key...)
	for _, tc := range []struct {
		name, env string
		want      []byte
	}{
		{"unset", "", nil},
		{"hex", hex.EncodeToString(key), key},
		{"hex, upper case", strings.ToUpper(hex.EncodeToString(key)), key},
		{"base64", base64.StdEncoding.EncodeToString(key), key},
		{"base64 without padding", base64.RawStdEncoding.EncodeToString(key), key},
		{"base64url", base64.URLEncoding.EncodeToString(key), key},
		{"longer than 32 bytes", hex.EncodeToString(long), long},
		{"surrounding space", "  " + hex.EncodeToString(key) + "\n", key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"CLOUDROUTE_SECRET_KEY": tc.env}))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.SecretKey, tc.want) {
				t.Fatalf("SecretKey %x, want %x", c.SecretKey, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, env string }{
		{"31 bytes in hex", hex.EncodeToString(key[:31])},
		{"31 bytes in base64", base64.StdEncoding.EncodeToString(key[:31])},
		{"a password", "correct horse battery staple"},
		{"not base64", strings.Repeat("!", 64)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{"CLOUDROUTE_SECRET_KEY": tc.env}))
			if err == nil || !strings.Contains(err.Error(), "CLOUDROUTE_SECRET_KEY") {
				t.Fatalf("error %v, want one naming CLOUDROUTE_SECRET_KEY", err)
			}
			if strings.Contains(err.Error(), tc.env) {
				t.Fatalf("the error repeats the secret: %v", err)
			}
		})
	}
}

func TestLoadNotifications(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != "" || c.EmailFrom != DefaultEmailFrom || c.AdminEmails != nil || c.PublicURL != "http://localhost:8080" ||
		c.WebhookAllowInsecureLoopback {
		t.Fatalf("notification defaults: %+v", c)
	}
	c, err = Load(env(map[string]string{
		"SMTP_URL": "smtps://user:p%40ss@mail.example.com", "EMAIL_FROM": "Ops <ops@cloudroute.example>",
		"ADMIN_EMAIL": " ana@example.com, ,bo@example.com ", "PUBLIC_URL": "https://cloudroute.example/",
		"WEBHOOK_ALLOW_INSECURE_LOOPBACK": "TRUE",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != "smtps://user:p%40ss@mail.example.com" || c.EmailFrom != "Ops <ops@cloudroute.example>" ||
		strings.Join(c.AdminEmails, ",") != "ana@example.com,bo@example.com" || c.PublicURL != "https://cloudroute.example" ||
		!c.WebhookAllowInsecureLoopback {
		t.Fatalf("notification settings: %+v", c)
	}
	for _, tc := range []struct{ key, value string }{
		{"SMTP_URL", "http://user:hunter2@mail.example.com"},
		{"SMTP_URL", "smtp://user@mail.example.com"},
		{"EMAIL_FROM", "nobody"},
		{"ADMIN_EMAIL", "ana@example.com,not an address"},
		{"PUBLIC_URL", "localhost:8080"},
		{"PUBLIC_URL", "https://cloudroute.example/?x=1"},
		{"WEBHOOK_ALLOW_INSECURE_LOOPBACK", "maybe"},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			_, err := Load(env(map[string]string{tc.key: tc.value}))
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("error %v, want one naming %s", err, tc.key)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error repeats the SMTP password: %v", err)
			}
		})
	}
}
func TestLoadACE(t *testing.T) {
	c, err := Load(env(map[string]string{
		"ACE_ENDPOINT_ALLOWLIST": " http://127.0.0.1:8566/ ,https://pc.example.com",
		"AWS_ACCESS_KEY_ID":      "AKIACLOUDROUTE000001", "AWS_SECRET_ACCESS_KEY": "own-secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"http://127.0.0.1:8566", "https://pc.example.com"}; strings.Join(c.ACE.Endpoints, " ") != strings.Join(want, " ") {
		t.Errorf("endpoints %v, want %v", c.ACE.Endpoints, want)
	}
	if c.ACE.AccessKeyID != "AKIACLOUDROUTE000001" || c.ACE.SecretAccessKey != "own-secret" {
		t.Errorf("base identity %+v", c.ACE)
	}
	_, err = Load(env(map[string]string{"ACE_ENDPOINT_ALLOWLIST": "ftp://x", "AWS_ACCESS_KEY_ID": "AKIA", "ACE_STS_ENDPOINT": "nope"}))
	for _, k := range []string{"ACE_ENDPOINT_ALLOWLIST", "AWS_ACCESS_KEY_ID", "ACE_STS_ENDPOINT"} {
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("error %v does not name %s", err, k)
		}
	}
}

func TestPprof(t *testing.T) {
	c, err := Load(env(map[string]string{}))
	if err != nil || c.Pprof {
		t.Fatalf("default: Pprof %v, err %v; want off", c.Pprof, err)
	}
	c, err = Load(env(map[string]string{"PPROF": "true"}))
	if err != nil || !c.Pprof {
		t.Fatalf("PPROF=true: Pprof %v, err %v", c.Pprof, err)
	}
	if _, err := Load(env(map[string]string{"PPROF": "maybe"})); err == nil || !strings.Contains(err.Error(), "PPROF") {
		t.Errorf("PPROF=maybe: err %v, want a PPROF error", err)
	}
	if _, err := Load(env(map[string]string{"PPROF": "true", "METRICS_ADDR": "off"})); err == nil || !strings.Contains(err.Error(), "PPROF") {
		t.Errorf("PPROF with METRICS_ADDR=off: err %v, want a PPROF error", err)
	}
}

func TestLoadOutbox(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.OutboxPoll != 100*time.Millisecond || c.OutboxPollListening != time.Second || !c.OutboxListen {
		t.Fatalf("defaults: poll %v, listening %v, listen %v, err %v; want 100ms, 1s, true", c.OutboxPoll,
			c.OutboxPollListening, c.OutboxListen, err)
	}
	c, err = Load(env(map[string]string{"OUTBOX_POLL": "20ms", "OUTBOX_POLL_LISTENING": "5s", "OUTBOX_LISTEN": "false"}))
	if err != nil || c.OutboxPoll != 20*time.Millisecond || c.OutboxPollListening != 5*time.Second || c.OutboxListen {
		t.Fatalf("set: poll %v, listening %v, listen %v, err %v; want 20ms, 5s, false", c.OutboxPoll,
			c.OutboxPollListening, c.OutboxListen, err)
	}
	for k, v := range map[string]string{"OUTBOX_POLL_LISTENING": "0s", "OUTBOX_LISTEN": "sometimes"} {
		if _, err := Load(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: err %v, want one naming %s", k, v, err, k)
		}
	}
}
