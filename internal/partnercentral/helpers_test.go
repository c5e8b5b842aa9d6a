package partnercentral_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// sim starts a simulator on loopback, over real HTTP.
func sim(t *testing.T, opts acesim.Options) (*acesim.Server, string) {
	t.Helper()
	if opts.WriteInterval == 0 {
		// Most tests write faster than the real quota; the throttling
		// tests set it back.
		opts.WriteInterval = -1
	}
	if opts.ReadInterval == 0 {
		opts.ReadInterval = -1
	}
	s := acesim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// logBuffer collects a client's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// attempts counts the log lines of op.
func (b *logBuffer) attempts(op string) int {
	return strings.Count(b.String(), "operation="+op+" ")
}

// client returns a client of the simulator at url, signing with the test
// credential, retrying fast, and logging into the returned buffer.
func client(t *testing.T, url string, mod ...func(*pc.Config)) (*pc.Client, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	cfg := pc.Config{
		Endpoint:    url,
		Credentials: pc.StaticCredentials(acesim.TestCredential.AccessKeyID, acesim.TestCredential.SecretAccessKey, ""),
		Retry:       pc.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
		Logger:      slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := pc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, logs
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// closeDate is a TargetCloseDate safely in the future.
func closeDate() string { return time.Now().AddDate(0, 3, 0).Format(time.DateOnly) }

// validOpportunity is a partner referral ACE accepts.
func validOpportunity() pc.Opportunity {
	return pc.Opportunity{
		PrimaryNeedsFromAws:          []string{pc.NeedDealSupport},
		NationalSecurity:             pc.No,
		PartnerOpportunityIdentifier: "rec-0001",
		Customer: &pc.Customer{
			Account: &pc.Account{
				Industry:    "Financial Services",
				CompanyName: "Ledgerly Ltd",
				WebsiteUrl:  "https://ledgerly.example.com",
				Address:     &pc.Address{CountryCode: "GB", PostalCode: "EC1A 1BB", City: "London"},
			},
			Contacts: []pc.Contact{{Email: "cto@ledgerly.example.com", FirstName: "Ada", LastName: "Byron", BusinessTitle: "Technical contact"}},
		},
		Project: &pc.Project{
			DeliveryModels: []string{pc.DeliveryProfessionalServices},
			ExpectedCustomerSpend: []pc.ExpectedCustomerSpend{{
				Amount: "12000", CurrencyCode: pc.CurrencyUSD, Frequency: pc.FrequencyMonthly, TargetCompany: pc.TargetCompanyAWS,
			}},
			Title:                   "Ledgerly - Activate Founders credits",
			CustomerBusinessProblem: "A treasury platform moving its transaction ledger to RDS Postgres and EC2.",
			CustomerUseCase:         "Database",
			SalesActivities:         []string{pc.SalesInitializedDiscussions, pc.SalesCustomerInterested},
			CompetitorName:          pc.CompetitorNone,
		},
		OpportunityType: pc.OpportunityNetNewBusiness,
		Marketing:       &pc.Marketing{Source: pc.MarketingNone},
		LifeCycle:       &pc.LifeCycle{Stage: pc.StageQualified, TargetCloseDate: closeDate()},
	}
}

func validCreate(token string) pc.CreateOpportunityRequest {
	return pc.CreateOpportunityRequest{
		Catalog:     pc.CatalogSandbox,
		ClientToken: token,
		Opportunity: validOpportunity(),
		Origin:      pc.OriginPartnerReferral,
	}
}
