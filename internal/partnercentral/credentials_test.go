package partnercentral_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// stsStub answers AssumeRole as STS does (the awsQuery protocol: a form in,
// XML out) when the role and external ID match, and AccessDenied otherwise.
type stsStub struct {
	mu                  sync.Mutex
	calls               int
	roleARN, externalID string
	issued              acesim.Credential
}

func (s *stsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "AssumeRole" || r.Header.Get("Authorization") == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.Form.Get("RoleArn") != s.roleARN || r.Form.Get("ExternalId") != s.externalID {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>%s/cloudroute</Arn><AssumedRoleId>AROA:cloudroute</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		s.roleARN, s.issued.AccessKeyID, s.issued.SecretAccessKey, s.issued.SessionToken,
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

func TestAssumeRoleWithExternalID(t *testing.T) {
	temporary := acesim.Credential{
		AccessKeyID: "ASIATEMPORARY0000001", SecretAccessKey: "temporary-secret",
		SessionToken: "session-token-of-the-assumed-role", AccountID: "777788889999",
	}
	stub := &stsStub{roleARN: "arn:aws:iam::777788889999:role/CloudRouteAce", externalID: "ext-7f3a", issued: temporary}
	stsSrv := httptest.NewServer(stub)
	t.Cleanup(stsSrv.Close)
	_, url := sim(t, acesim.Options{Credentials: []acesim.Credential{temporary}})

	assume := pc.AssumeRole{
		RoleARN: stub.roleARN, ExternalID: stub.externalID,
		Base:        pc.StaticCredentials("AKIACLOUDROUTE000001", "cloudroute-own-secret", ""),
		STSEndpoint: stsSrv.URL,
	}
	provider, err := assume.Provider()
	if err != nil {
		t.Fatal(err)
	}
	c, _ := client(t, url, func(cfg *pc.Config) { cfg.Credentials = provider })
	for range 2 {
		if err := c.TestConnection(ctx(t), pc.CatalogSandbox); err != nil {
			t.Fatalf("call with the assumed role: %v", err)
		}
	}
	if stub.calls != 1 {
		t.Errorf("STS was called %d times for two calls, want 1: the credentials are cached", stub.calls)
	}

	// The wrong external ID is refused by STS, and the call fails before
	// reaching Partner Central.
	assume.ExternalID = "someone-elses"
	provider, err = assume.Provider()
	if err != nil {
		t.Fatal(err)
	}
	c, logs := client(t, url, func(cfg *pc.Config) { cfg.Credentials = provider; cfg.Retry.MaxAttempts = 1 })
	err = c.TestConnection(ctx(t), pc.CatalogSandbox)
	if !errors.As(err, new(*pc.CredentialsError)) {
		t.Errorf("a wrong external ID: err = %v, want a CredentialsError", err)
	}
	if logs.attempts("ListOpportunities") != 1 || !strings.Contains(logs.String(), "status=credentials") {
		t.Errorf("log: %s", logs)
	}

	if _, err := (pc.AssumeRole{RoleARN: stub.roleARN, Base: assume.Base}).Provider(); err == nil {
		t.Error("a role without an external ID was accepted")
	}
}
