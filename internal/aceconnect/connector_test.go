package aceconnect_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/aceconnect"
	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
	"github.com/cloudroute/cloudroute/internal/postgres"
)

var rootKey = bytes.Repeat([]byte{7}, 32)

func connector(t *testing.T, o aceconnect.Options) *aceconnect.Connector {
	t.Helper()
	if o.SecretKey == nil {
		o.SecretKey = rootKey
	}
	o.Retry = pc.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c, err := aceconnect.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func simulator(t *testing.T, creds ...acesim.Credential) string {
	t.Helper()
	srv := httptest.NewServer(acesim.New(acesim.Options{Credentials: creds, WriteInterval: -1, ReadInterval: -1}))
	t.Cleanup(srv.Close)
	return srv.URL
}

const partnerID = "6f1c2d4e-0000-4000-8000-00000000000a"

func TestNewRefusesAShortKey(t *testing.T) {
	if _, err := aceconnect.New(aceconnect.Options{SecretKey: make([]byte, 31)}); err == nil {
		t.Fatal("a 31-byte root key was accepted")
	}
}

// TestSealedKeys: the keys are sealed to their partner and under the
// server's key; a connection sealed for one partner, or under another key,
// does not sign.
func TestSealedKeys(t *testing.T) {
	url := simulator(t)
	c := connector(t, aceconnect.Options{Endpoints: []string{url}})
	keys := aceconnect.AccessKeys{AccessKeyID: acesim.TestCredential.AccessKeyID, SecretAccessKey: acesim.TestCredential.SecretAccessKey}
	sealed, err := c.SealAccessKeys(partnerID, keys)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(keys.SecretAccessKey)) || bytes.Contains(sealed, []byte(keys.AccessKeyID)) {
		t.Fatal("the sealed keys hold the keys")
	}
	conn := postgres.ACEConnection{ID: "c1", PartnerID: partnerID, Catalog: pc.CatalogSandbox, AuthKind: postgres.ACEAuthAccessKeys,
		CredentialsSealed: sealed, Endpoint: &url}
	if res := c.Test(context.Background(), conn); !res.OK {
		t.Fatalf("test: %+v", res.Failure)
	}
	moved := conn
	moved.PartnerID = "6f1c2d4e-0000-4000-8000-00000000000b"
	other := connector(t, aceconnect.Options{SecretKey: bytes.Repeat([]byte{8}, 32), Endpoints: []string{url}})
	for name, tc := range map[string]struct {
		c    *aceconnect.Connector
		conn postgres.ACEConnection
	}{"another partner's row": {c, moved}, "another server key": {other, conn}} {
		res := tc.c.Test(context.Background(), tc.conn)
		if res.OK || res.Failure.Kind != aceconnect.FailCredentials || !strings.Contains(res.Failure.Message, "CLOUDROUTE_SECRET_KEY") {
			t.Errorf("%s: %+v", name, res)
		}
	}
}

func TestEndpointAllowed(t *testing.T) {
	c := connector(t, aceconnect.Options{Endpoints: []string{"http://127.0.0.1:8566/"}})
	for e, want := range map[string]bool{
		pc.DefaultEndpoint:                  true,
		"http://127.0.0.1:8566":             true,
		"http://127.0.0.1:8566/":            true,
		"http://127.0.0.1:8567":             false,
		"http://169.254.169.254/latest":     false,
		"https://partnercentral.evil.test/": false,
	} {
		if got := c.EndpointAllowed(e); got != want {
			t.Errorf("%s: %v, want %v", e, got, want)
		}
	}
	url := "http://127.0.0.1:8567"
	_, err := c.Client(postgres.ACEConnection{ID: "c1", PartnerID: partnerID, AuthKind: postgres.ACEAuthAccessKeys, Endpoint: &url})
	if err == nil {
		t.Error("a client was built for an endpoint no longer allowed")
	}
}

func TestEventSignature(t *testing.T) {
	c := connector(t, aceconnect.Options{})
	secret, sealed, err := c.NewEventsSecret(partnerID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(secret)) {
		t.Fatal("the sealed events secret holds the secret")
	}
	conn := postgres.ACEConnection{PartnerID: partnerID, EventsSecretSealed: sealed}
	body := []byte(`{"detail-type":"Opportunity Updated"}`)
	if !c.VerifyEvent(conn, body, aceconnect.Sign(secret, body)) {
		t.Fatal("a good signature does not verify")
	}
	for name, sig := range map[string]string{
		"another body":   aceconnect.Sign(secret, []byte(`{}`)),
		"another secret": aceconnect.Sign("whsec_other", body),
		"empty":          "",
		"the bare hex":   strings.TrimPrefix(aceconnect.Sign(secret, body), "sha256="),
	} {
		if c.VerifyEvent(conn, body, sig) {
			t.Errorf("%s verifies", name)
		}
	}
	conn.PartnerID = "6f1c2d4e-0000-4000-8000-00000000000b"
	if c.VerifyEvent(conn, body, aceconnect.Sign(secret, body)) {
		t.Error("a secret moved to another partner's row verifies")
	}
}

func TestKeyHint(t *testing.T) {
	if h := aceconnect.KeyHint("AKIAACESIMTEST000001"); h != "AKIA…0001" {
		t.Errorf("hint %q", h)
	}
	if h := aceconnect.KeyHint("short"); strings.Contains(h, "short") {
		t.Errorf("a short id is shown whole: %q", h)
	}
	if a, b := aceconnect.NewExternalID(), aceconnect.NewExternalID(); a == b || !strings.HasPrefix(a, "cloudroute-") {
		t.Errorf("external ids %q %q", a, b)
	}
}

// stsStub answers AssumeRole as STS does when the role and external id
// match, and AccessDenied otherwise.
func stsStub(t *testing.T, roleARN, externalID string, issued acesim.Credential) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "AssumeRole" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		if r.Form.Get("RoleArn") != roleARN || r.Form.Get("ExternalId") != externalID {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>%s/cloudroute</Arn><AssumedRoleId>AROA:cloudroute</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			roleARN, issued.AccessKeyID, issued.SecretAccessKey, issued.SessionToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestAssumeRoleConnection: a role connection signs with the role CloudRoute
// assumes with the connection's external id; a trust policy that demands
// another external id is a credentials failure that says so.
func TestAssumeRoleConnection(t *testing.T) {
	temporary := acesim.Credential{AccessKeyID: "ASIATEMPORARY0000001", SecretAccessKey: "temporary-secret",
		SessionToken: "session-of-the-role", AccountID: "777788889999"}
	url := simulator(t, temporary)
	role, ext := "arn:aws:iam::777788889999:role/CloudRouteACE", aceconnect.NewExternalID()
	sts := stsStub(t, role, ext, temporary)
	c := connector(t, aceconnect.Options{Endpoints: []string{url}, STSEndpoint: sts,
		BaseCredentials: pc.StaticCredentials("AKIACLOUDROUTE000001", "cloudroute-own-secret", "")})
	conn := postgres.ACEConnection{ID: "c1", PartnerID: partnerID, Catalog: pc.CatalogSandbox, AuthKind: postgres.ACEAuthAssumeRole,
		RoleARN: &role, ExternalID: &ext, Endpoint: &url}
	if res := c.Test(context.Background(), conn); !res.OK {
		t.Fatalf("test: %+v", res.Failure)
	}
	other := aceconnect.NewExternalID()
	conn.ExternalID = &other
	res := c.Test(context.Background(), conn)
	if res.OK || res.Failure.Kind != aceconnect.FailCredentials || !strings.Contains(res.Failure.Message, "external id") {
		t.Errorf("a wrong external id: %+v", res)
	}
}

// TestClassify: each failure names what failed.
func TestClassify(t *testing.T) {
	api := func(status int, code string) error {
		return &pc.APIError{Operation: "ListOpportunities", StatusCode: status, Code: code}
	}
	for _, c := range []struct {
		name      string
		err       error
		kind      string
		retryable bool
	}{
		{"unknown keys", api(403, "UnrecognizedClientException"), aceconnect.FailCredentials, false},
		{"a wrong secret", api(403, "InvalidSignatureException"), aceconnect.FailCredentials, false},
		{"no access", &pc.AccessDeniedException{APIError: pc.APIError{StatusCode: 403, Code: "AccessDeniedException"}}, aceconnect.FailAccessDenied, false},
		{"STS refused the role", &pc.CredentialsError{Operation: "ListOpportunities", Err: errors.New("AccessDenied")}, aceconnect.FailCredentials, false},
		{"no identity to assume with", aceconnect.ErrNoBaseIdentity, aceconnect.FailCredentials, false},
		{"a secret this key cannot open", aceconnect.ErrUnreadableSecret, aceconnect.FailCredentials, false},
		{"throttled", &pc.ThrottlingException{APIError: pc.APIError{StatusCode: 429, Code: "ThrottlingException"}}, aceconnect.FailThrottled, true},
		{"ACE failing", &pc.InternalServerException{APIError: pc.APIError{StatusCode: 500, Code: "InternalServerException"}}, aceconnect.FailService, true},
		{"a gateway failing", api(503, "UnknownError"), aceconnect.FailService, true},
		{"the daily quota", &pc.ServiceQuotaExceededException{APIError: pc.APIError{StatusCode: 402, Code: "ServiceQuotaExceededException"}},
			aceconnect.FailQuota, false},
		{"a timeout", context.DeadlineExceeded, aceconnect.FailUnreachable, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := aceconnect.Classify(c.err)
			if f.Kind != c.kind || f.Retryable != c.retryable || f.Message == "" {
				t.Errorf("%+v, want kind %s retryable %v", f, c.kind, c.retryable)
			}
		})
	}
}
