package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
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
	route, params, err := router.FindRoute(req)
	if err != nil {
		if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
			return // an unknown path is a 404 problem; nothing to check against
		}
		t.Fatalf("contract: %s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status, Header: r.header,
		Body:    io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		t.Fatalf("contract: %s %s → %d does not match openapi.yaml: %s\nbody: %s", req.Method, req.URL.Path, r.status,
			msg, strings.TrimSpace(string(r.body)))
	}
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
