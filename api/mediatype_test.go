package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Tests of the Content-Type check: a body the endpoint cannot read is 415
// unsupported_media_type before any handler runs.

// mtSend sends body with exactly the Content-Type ctype (none when empty),
// chunked (without a Content-Length) when chunked is set. The response is
// checked against openapi.yaml.
func (e *env) mtSend(method, path, key, ctype, body string, chunked bool) resp {
	e.t.Helper()
	var rd io.Reader = strings.NewReader(body)
	if chunked {
		rd = struct{ io.Reader }{rd}
	} else if body == "" {
		rd = nil
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	if chunked && req.ContentLength != 0 {
		e.t.Fatal("the request has a Content-Length; want chunked")
	}
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, header: res.Header, body: b}
	checkContract(e.t, req, r)
	return r
}

func mtJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const mtCSV = "decided_at,submitted_at,stage,region,vertical,service_profile,engagement_type,funding_source,outcome,requested_usd,approved_usd\n" +
	"2026-10-01,2026-09-01,seed,eu,b2b_saas,ai_heavy,build,founders,approved,20000,20000\n"

// TestContentTypeRefused: a body that is not JSON (nor CSV where CSV is
// read), or that names no type, is 415 on every kind of write, chunked or
// not, and nothing is written.
func TestContentTypeRefused(t *testing.T) {
	e := newEnv(t)
	pid, _ := e.createPartner(map[string]any{"name": "Media Type Partner"})
	intakeID, token := e.submit(nil)
	settings := func() string {
		return string(e.do("GET", "/v1/admin/settings", e.adminKey, nil).want(t, 200).body)
	}
	intake := mtJSON(t, intakeBody(nil))
	row := mtJSON(t, []map[string]any{{"decided_at": "2026-10-01T00:00:00Z", "submitted_at": "2026-09-01T00:00:00Z",
		"stage": "seed", "region": "eu", "vertical": "b2b_saas", "service_profile": "ai_heavy", "engagement_type": "build",
		"funding_source": "founders", "outcome": "approved", "requested_usd": 20000, "approved_usd": 20000}})
	counts := func() map[string]int {
		m := map[string]int{}
		for _, tb := range []string{"intakes", "partners", "api_keys", "outcomes", "settings_audit", "outbox"} {
			m[tb] = e.count(tb)
		}
		return m
	}
	beforeSettings, before := settings(), counts()

	for _, tc := range []struct {
		name, method, path, key, ctype, body string
		chunked                              bool
	}{
		{"intake as text/plain", "POST", "/v1/intakes", "", "text/plain", intake, false},
		{"intake as text/plain, chunked", "POST", "/v1/intakes", "", "text/plain; charset=utf-8", intake, true},
		{"intake without a type", "POST", "/v1/intakes", "", "", intake, false},
		{"intake without a type, chunked", "POST", "/v1/intakes", "", "", intake, true},
		{"intake as a form", "POST", "/v1/intakes", "", "application/x-www-form-urlencoded", intake, false},
		{"intake as CSV", "POST", "/v1/intakes", "", "text/csv", intake, false},
		{"intake with a bad type", "POST", "/v1/intakes", "", "json", intake, false},
		{"intake as application/jsonl", "POST", "/v1/intakes", "", "application/jsonl", intake, false},
		{"partner as text/plain", "POST", "/v1/admin/partners", e.adminKey, "text/plain", mtJSON(t, partnerBody(nil)), false},
		{"partner patch as text/plain", "PATCH", "/v1/admin/partners/" + pid, e.adminKey, "text/plain", `{"name":"Renamed"}`, false},
		{"settings as text/plain", "PUT", "/v1/admin/settings", e.adminKey, "text/plain", `{"routing_mode":"review"}`, false},
		{"optional body as text/plain", "POST", "/v1/admin/partners/" + pid + "/api-keys", e.adminKey, "text/plain", `{"label":"x"}`, false},
		{"withdraw as text/plain", "POST", "/v1/intakes/" + intakeID + "/withdraw", token, "text/plain", `{"reason":"x"}`, false},
		{"track record as text/plain", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "text/plain", mtCSV, false},
		{"track record as XML", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "application/xml", row, false},
		{"track record without a type", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "", row, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := e.mtSend(tc.method, tc.path, tc.key, tc.ctype, tc.body, tc.chunked).problem(t, 415, "unsupported_media_type")
			if p["title"] != "Unsupported media type" || p["status"] != float64(415) {
				t.Errorf("problem %v", p)
			}
		})
	}
	if d := diffMaps(before, counts()); d != "" {
		t.Errorf("a refused body wrote rows: %s", d)
	}
	if s := settings(); s != beforeSettings {
		t.Errorf("settings changed:\n%s\n%s", beforeSettings, s)
	}
	if s := e.itkStatus(intakeID); s == "withdrawn" {
		t.Error("a refused withdraw withdrew the intake")
	}
	var name string
	if err := e.sql.Get(&name, `SELECT name FROM partners WHERE id = $1`, pid); err != nil || name != "Media Type Partner" {
		t.Errorf("partner name %q (%v), want it unchanged", name, err)
	}
}

func diffMaps(a, b map[string]int) string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

// TestContentTypeAccepted: JSON in any of its spellings, CSV on the
// track-record import, and no body at all where the body is optional.
func TestContentTypeAccepted(t *testing.T) {
	e := newEnv(t)
	pid, _ := e.createPartner(nil)
	for _, tc := range []struct {
		name, method, path, key, ctype, body string
		chunked                              bool
		status                               int
	}{
		{"intake with charset", "POST", "/v1/intakes", "", "application/json; charset=utf-8", "", false, 201},
		{"intake in capitals", "POST", "/v1/intakes", "", "Application/JSON", "", false, 201},
		{"intake with charset, chunked", "POST", "/v1/intakes", "", "application/json;charset=UTF-8", "", true, 201},
		{"partner as +json", "POST", "/v1/admin/partners", e.adminKey, "application/vnd.cloudroute+json", mtJSON(t, partnerBody(nil)), false, 201},
		{"partner patch as merge-patch+json", "PATCH", "/v1/admin/partners/" + pid, e.adminKey, "application/merge-patch+json", `{"capacity":12}`, false, 200},
		{"track record as CSV", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "text/csv", mtCSV, false, 201},
		{"track record as CSV in capitals", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "Text/CSV", mtCSV, false, 201},
		{"intake with a malformed parameter", "POST", "/v1/intakes", "", "application/json; charset", "", false, 201},
		{"track record as CSV with charset, chunked", "POST", "/v1/admin/partners/" + pid + "/track-record", e.adminKey, "text/csv; charset=utf-8", mtCSV, true, 201},
		{"api key, no body, no type", "POST", "/v1/admin/partners/" + pid + "/api-keys", e.adminKey, "", "", false, 201},
		{"api key, empty chunked body, no type", "POST", "/v1/admin/partners/" + pid + "/api-keys", e.adminKey, "", "", true, 201},
		{"api key, no body, text/plain", "POST", "/v1/admin/partners/" + pid + "/api-keys", e.adminKey, "text/plain", "", false, 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == "" && tc.path == "/v1/intakes" {
				body = mtJSON(t, intakeBody(nil))
			}
			e.mtSend(tc.method, tc.path, tc.key, tc.ctype, body, tc.chunked).want(t, tc.status)
		})
	}
	t.Run("withdraw, no body, no type", func(t *testing.T) {
		id, token := e.submit(nil)
		e.mtSend("POST", "/v1/intakes/"+id+"/withdraw", token, "", "", false).want(t, 200)
	})
	t.Run("a read, no type", func(t *testing.T) {
		e.mtSend("GET", "/v1/admin/partners/"+pid, e.adminKey, "", "", false).want(t, 200)
	})
	if n := e.count("outcomes"); n != 3 {
		t.Errorf("%d outcomes imported, want 3", n)
	}
}
