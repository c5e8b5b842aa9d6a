package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"
)

var (
	specOnce   sync.Once
	spec       *openapi3.T
	specRouter routers.Router
	specErr    error
)

// loadSpec loads and validates openapi.yaml at the repository root.
func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		spec, specErr = loader.LoadFromFile(filepath.Join("..", "openapi.yaml"))
		if specErr != nil {
			return
		}
		if specErr = spec.Validate(context.Background()); specErr != nil {
			return
		}
		// The PDM brief is plain text in Markdown.
		openapi3filter.RegisterBodyDecoder("text/markdown", openapi3filter.RegisteredBodyDecoder("text/plain"))
		// Match paths on any host: the test server listens on a random port.
		spec.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(spec)
	})
	if specErr != nil {
		t.Fatalf("openapi.yaml: %v", specErr)
	}
	return spec, specRouter
}

var ginParam = regexp.MustCompile(`:([a-z_]+)`)

// TestRoutesMatchOpenAPI fails when a served route is not documented, or a
// documented operation is not served.
func TestRoutesMatchOpenAPI(t *testing.T) {
	doc, _ := loadSpec(t)
	e := newEnv(t)
	var served, documented []string
	for _, r := range e.api.Routes() {
		served = append(served, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if d := cmp.Diff(documented, served); d != "" {
		t.Fatalf("openapi.yaml (-) and served routes (+) differ:\n%s", d)
	}
}

// checkContract validates a response against the operation openapi.yaml
// documents for the request: its status must be documented and its body
// must match the schema.
func checkContract(t *testing.T, req *http.Request, r resp) {
	t.Helper()
	if os.Getenv("SKIP_CONTRACT") != "" {
		return
	}
	_, router := loadSpec(t)
	if _, _, err := router.FindRoute(req); err != nil {
		if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
			return // an unknown path is a 404 problem; nothing to check against
		}
		t.Fatalf("contract: %s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	if err := validateResponse(router, req, r); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		t.Fatalf("contract: %s %s → %d does not match openapi.yaml: %s\nbody: %s", req.Method, req.URL.Path, r.status,
			msg, strings.TrimSpace(string(r.body)))
	}
}

// validateResponse checks r against the operation of router that req
// matches, as strictly as third-party tools do: with JSON Schema 2020-12
// whatever the document's version says, so that `nullable` (an OpenAPI 3.0
// keyword that JSON Schema tools ignore) never lets a null through, and a
// null is valid only where the schema's type says so.
func validateResponse(router routers.Router, req *http.Request, r resp) error {
	route, params, err := router.FindRoute(req)
	if err != nil {
		return err
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header,
		Body: io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableJSONSchema2020()}}}
	return openapi3filter.ValidateResponse(context.Background(), out)
}

// TestOpenAPINoNullableKeyword: openapi.yaml is OpenAPI 3.1 and spells
// nullability the JSON Schema way, `type: [T, 'null']` or
// `oneOf: [{$ref: ...}, {type: 'null'}]`. The OpenAPI 3.0 `nullable`
// keyword is ignored by 3.1 tools, and beside an `allOf` even by strict 3.0
// ones: a null documented that way breaks every validating client.
func TestOpenAPINoNullableKeyword(t *testing.T) {
	doc, _ := loadSpec(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi.yaml declares OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	var found []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				if k == "nullable" {
					found = append(found, path)
				}
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range v {
				walk(fmt.Sprintf("%s/%d", path, i), c)
			}
		}
	}
	walk("#", tree)
	sort.Strings(found)
	for _, p := range found {
		t.Errorf("%s uses nullable; write type: [T, 'null'] or oneOf with {type: 'null'}", p)
	}
}

// TestContractRejectsUndocumentedNull: the contract check refuses a null
// the schema does not allow, even where an OpenAPI 3.0 document marks it
// `nullable` beside an `allOf` (which strict tools ignore), and accepts the
// documented nulls of a real ACE record.
func TestContractRejectsUndocumentedNull(t *testing.T) {
	t.Run("nullable beside allOf is not nullable", func(t *testing.T) {
		// The form openapi.yaml once used for approved_funding_source.
		const doc30 = `openapi: 3.0.3
info: {title: nullable beside allOf, version: "1"}
paths:
  /r:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [source]
                properties:
                  source:
                    allOf: [{$ref: "#/components/schemas/Source"}]
                    nullable: true
components:
  schemas:
    Source: {type: string, enum: [founders, portfolio]}
`
		doc, err := openapi3.NewLoader().LoadFromData([]byte(doc30))
		if err != nil {
			t.Fatal(err)
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/r", nil)
		ok := resp{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(`{"source":"founders"}`)}
		if err := validateResponse(router, req, ok); err != nil {
			t.Fatalf("a documented value is refused: %v", err)
		}
		null := ok
		null.body = []byte(`{"source":null}`)
		if err := validateResponse(router, req, null); err == nil {
			t.Fatal("a null beside allOf passed the contract check; strict tools refuse it")
		}
	})

	t.Run("a real record", func(t *testing.T) {
		e := newEnv(t)
		_, _, _, key, asg := e.engaged(nil)
		created := e.do("POST", "/v1/assignments/"+asg+"/ace-records", key,
			map[string]any{"funding_source": "founders", "requested_usd": 20000}).want(t, 201)
		id := created.json(t)["id"].(string)
		req, err := http.NewRequest("GET", e.srv.URL+"/v1/ace-records/"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r := resp{status: res.StatusCode, header: res.Header, body: body}.want(t, 200)
		rec := r.json(t)
		first := rec["transitions"].([]any)[0].(map[string]any)
		if v, ok := rec["approved_funding_source"]; !ok || v != nil {
			t.Fatalf("approved_funding_source %v (present %v), want null before approval", v, ok)
		}
		if v, ok := first["from"]; !ok || v != nil {
			t.Fatalf("transitions[0].from %v (present %v), want null on the creation", v, ok)
		}
		_, router := loadSpec(t)
		if err := validateResponse(router, req, r); err != nil {
			t.Fatalf("the documented nulls are refused: %v", err)
		}
		for _, tc := range []struct {
			name string
			edit func(rec map[string]any)
		}{
			{"funding_source null", func(m map[string]any) { m["funding_source"] = nil }},
			{"state null", func(m map[string]any) { m["state"] = nil }},
			{"requested_usd null", func(m map[string]any) { m["requested_usd"] = nil }},
			{"approved_funding_source not a pool", func(m map[string]any) { m["approved_funding_source"] = "gold" }},
			{"transitions[0].to null", func(m map[string]any) { m["transitions"].([]any)[0].(map[string]any)["to"] = nil }},
			{"transitions[0].from not a state", func(m map[string]any) { m["transitions"].([]any)[0].(map[string]any)["from"] = "nowhere" }},
			{"transitions null", func(m map[string]any) { m["transitions"] = nil }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := r.json(t)
				tc.edit(m)
				bad := r
				bad.body, _ = json.Marshal(m)
				if err := validateResponse(router, req, bad); err == nil {
					t.Fatalf("the contract check accepted %s", bad.body)
				}
			})
		}
	})
}

// TestOpenAPIWritesDocument415: every POST, PUT and PATCH documents the
// 415 the Content-Type check may answer.
func TestOpenAPIWritesDocument415(t *testing.T) {
	doc, _ := loadSpec(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			switch method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
				if op.Responses.Status(http.StatusUnsupportedMediaType) == nil {
					t.Errorf("%s %s does not document 415", method, path)
				}
			}
		}
	}
}
