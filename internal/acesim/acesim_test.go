package acesim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// clock is a settable clock near real time (the signature check compares
// it with the client's).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func start(t *testing.T, opts acesim.Options) (*acesim.Server, string, *pc.Client) {
	t.Helper()
	s := acesim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := pc.New(pc.Config{
		Endpoint:    srv.URL,
		Credentials: pc.StaticCredentials(acesim.TestCredential.AccessKeyID, acesim.TestCredential.SecretAccessKey, ""),
		Retry:       pc.RetryPolicy{MaxAttempts: 1},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, srv.URL, c
}

func background(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func opportunity() pc.CreateOpportunityRequest {
	return pc.CreateOpportunityRequest{
		Catalog: pc.CatalogSandbox, ClientToken: "t-1", Origin: pc.OriginPartnerReferral,
		Opportunity: pc.Opportunity{
			PrimaryNeedsFromAws: []string{pc.NeedDealSupport},
			Customer: &pc.Customer{Account: &pc.Account{
				Industry: "Gaming", CompanyName: "Pixel Forge", WebsiteUrl: "https://pixelforge.example.com",
				Address: &pc.Address{CountryCode: "US", StateOrRegion: "Texas", PostalCode: "73301"},
			}},
			Project: &pc.Project{
				DeliveryModels:          []string{pc.DeliveryProfessionalServices},
				ExpectedCustomerSpend:   []pc.ExpectedCustomerSpend{{Amount: "5000", CurrencyCode: "USD", Frequency: "Monthly", TargetCompany: "AWS"}},
				Title:                   "Pixel Forge game backend",
				CustomerBusinessProblem: "Multiplayer backend on GameLift and DynamoDB for launch.",
				CustomerUseCase:         "Containers & Serverless",
				SalesActivities:         []string{pc.SalesInitializedDiscussions},
			},
			OpportunityType: pc.OpportunityNetNewBusiness,
			Marketing:       &pc.Marketing{Source: pc.MarketingNone},
			LifeCycle:       &pc.LifeCycle{Stage: pc.StageQualified, TargetCloseDate: time.Now().AddDate(0, 2, 0).Format(time.DateOnly)},
		},
	}
}

func TestProtocolErrors(t *testing.T) {
	_, url, _ := start(t, acesim.Options{})
	cases := []struct {
		name, target, contentType, want string
		status                          int
	}{
		{"unknown operation", pc.TargetPrefix + "DeleteEverything", pc.ContentType, "UnknownOperationException", 400},
		{"no target", "", pc.ContentType, "UnknownOperationException", 400},
		{"not awsJson", pc.TargetPrefix + "ListOpportunities", "application/json", "SerializationException", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{}`))
			req.Header.Set("Content-Type", tc.contentType)
			if tc.target != "" {
				req.Header.Set("X-Amz-Target", tc.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Type    string `json:"__type"`
				Message string
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.want || body.Type != tc.want || body.Message == "" {
				t.Errorf("%d %s %+v, want %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body, tc.status, tc.want)
			}
		})
	}
}

func TestModelledErrorsCarryTheNamespace(t *testing.T) {
	_, _, c := start(t, acesim.Options{})
	_, err := c.GetOpportunity(background(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: "O42"})
	var nf *pc.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.StatusCode != 404 || nf.RequestID == "" {
		t.Errorf("err = %#v, want a 404 ResourceNotFoundException with a request id", err)
	}
}

func TestDailyWriteQuota(t *testing.T) {
	_, _, c := start(t, acesim.Options{WriteInterval: -1, WritesPerDay: 2})
	for i, token := range []string{"a", "b", "c"} {
		req := opportunity()
		req.ClientToken = token
		_, err := c.CreateOpportunity(background(t), req)
		if i < 2 && err != nil {
			t.Fatal(err)
		}
		if i == 2 && !errors.As(err, new(*pc.ServiceQuotaExceededException)) {
			t.Errorf("the third write of a day with a quota of 2: err = %v", err)
		}
	}
	if pc.Retryable(&pc.ServiceQuotaExceededException{}) {
		t.Error("a used-up daily quota is retried")
	}
}

func TestReadRate(t *testing.T) {
	_, _, c := start(t, acesim.Options{ReadInterval: time.Hour})
	var throttled int
	for range 11 {
		if err := c.TestConnection(background(t), pc.CatalogSandbox); errors.As(err, new(*pc.ThrottlingException)) {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled != 1 {
		t.Errorf("%d of 11 reads throttled with a burst of 10 and no refill, want 1", throttled)
	}
}

func TestFaultsByTimeAndOverHTTP(t *testing.T) {
	clk := &clock{t: time.Now()}
	_, url, c := start(t, acesim.Options{Now: clk.Now, WriteInterval: -1, ReadInterval: -1})
	post := func(path, body string) int {
		resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/_sim/faults", `{"status": 503, "seconds": 60, "operations": ["ListOpportunities"]}`); code != http.StatusNoContent {
		t.Fatalf("fault: %d", code)
	}
	err := c.TestConnection(background(t), pc.CatalogSandbox)
	if pc.StatusCode(err) != 503 || !pc.Retryable(err) {
		t.Errorf("during the fault: err = %v, want a retryable 503", err)
	}
	clk.Add(61 * time.Second)
	if err := c.TestConnection(background(t), pc.CatalogSandbox); err != nil {
		t.Errorf("after the fault's minute: %v", err)
	}
	post("/_sim/faults", `{"status": 429, "count": 5}`)
	req, _ := http.NewRequest(http.MethodDelete, url+"/_sim/faults", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := c.TestConnection(background(t), pc.CatalogSandbox); err != nil {
		t.Errorf("after clearing the faults: %v", err)
	}
	if code := post("/_sim/faults", `{"status": 404}`); code != http.StatusBadRequest {
		t.Errorf("a 404 fault was accepted: %d", code)
	}
}

func TestControlAPIOverHTTP(t *testing.T) {
	_, url, c := start(t, acesim.Options{WriteInterval: -1})
	created, err := c.CreateOpportunity(background(t), opportunity())
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, body string) (int, map[string]any) {
		resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, _ := post("/_sim/opportunities/O1/approve", ""); code != http.StatusNotFound {
		t.Errorf("unknown opportunity: %d", code)
	}
	code, out := post("/_sim/opportunities/"+created.Id+"/approve", "")
	if code != http.StatusConflict || !strings.Contains(out["error"].(string), "Pending Submission") {
		t.Errorf("approving an unsubmitted opportunity: %d %v", code, out)
	}
	if code, _ := post("/_sim/opportunities/"+created.Id+"/close-lost", `{"reason":"Price"}`); code != http.StatusOK {
		t.Errorf("close-lost: %d", code)
	}
	code, out = post("/_sim/opportunities/"+created.Id+"/stage", `{"stage":"Qualified"}`)
	if code != http.StatusConflict {
		t.Errorf("moving a Closed Lost opportunity: %d %v", code, out)
	}
	code, out = post("/_sim/invitations", `{"title":"Referral from AWS","catalog":"Sandbox"}`)
	if code != http.StatusCreated || out["Status"] != pc.InvitationPending || !strings.HasPrefix(out["Id"].(string), "engi-") {
		t.Errorf("invitation: %d %v", code, out)
	}
	resp, err := http.Get(url + "/_sim/opportunities")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var all []acesim.Record
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil || len(all) != 1 || all[0].Opportunity.LifeCycle.Stage != pc.StageClosedLost {
		t.Errorf("listing: %v %+v", err, all)
	}
}

func TestInvalidNextToken(t *testing.T) {
	_, _, c := start(t, acesim.Options{})
	_, err := c.ListOpportunities(background(t), pc.ListOpportunitiesRequest{Catalog: pc.CatalogSandbox, NextToken: "forged"})
	var v *pc.ValidationException
	if !errors.As(err, &v) || v.ErrorList[0].FieldName != "NextToken" {
		t.Errorf("err = %v", err)
	}
}

func TestExpiredInvitationCannotBeAccepted(t *testing.T) {
	clk := &clock{t: time.Now()}
	// A day later by the service's clock; the wide skew keeps the
	// client's signatures, dated by the real clock, acceptable.
	s, _, c := start(t, acesim.Options{Now: clk.Now, WriteInterval: -1, ReadInterval: -1, MaxSkew: 48 * time.Hour})
	inv, err := s.Invite(acesim.Invitation{Title: "Old referral", ExpiresInDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(25 * time.Hour)
	err = c.AcceptEngagementInvitation(background(t), pc.AcceptEngagementInvitationRequest{Catalog: pc.CatalogSandbox, Identifier: inv.Id})
	var conflict *pc.ConflictException
	if !errors.As(err, &conflict) || !strings.Contains(conflict.Message, "EXPIRED") {
		t.Errorf("accepting an expired invitation: %v", err)
	}
}
