package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cloudroute/cloudroute/internal/acesim"
	"github.com/cloudroute/cloudroute/internal/cloudrouteapi"
	"github.com/cloudroute/cloudroute/internal/intake"
)

// The ACE sync's demo: the routable partners connect to the Partner Central
// simulator (Sandbox catalog, the simulator's published test credentials,
// the simulator as endpoint), and one demo engagement is filed through it,
// so that a newcomer sees a record sync and can play AWS's side.

// aceDemoPartner is a partner the seeder connected.
type aceDemoPartner struct {
	name, id, key string
}

// connectACE connects each partner to the simulator at endpoint.
func connectACE(ctx context.Context, apiURL, endpoint string, partners []aceDemoPartner, stdout io.Writer) error {
	body := map[string]any{"catalog": "Sandbox", "auth_kind": "access_keys", "endpoint": endpoint,
		"access_key_id": acesim.TestCredential.AccessKeyID, "secret_access_key": acesim.TestCredential.SecretAccessKey}
	for _, p := range partners {
		c := cloudrouteapi.New(apiURL, p.key, &http.Client{Timeout: 30 * time.Second})
		if err := c.Do(ctx, http.MethodPut, "/v1/partner/ace-connection", body, http.StatusCreated, nil); err != nil {
			return fmt.Errorf("connect %q to ACE: %w", p.name, err)
		}
		var test struct {
			OK      bool `json:"ok"`
			Failure *struct {
				Message string `json:"message"`
			} `json:"failure"`
		}
		if err := c.Do(ctx, http.MethodPost, "/v1/partner/ace-connection/test", nil, http.StatusOK, &test); err != nil {
			return fmt.Errorf("test the ACE connection of %q: %w", p.name, err)
		}
		status := "works"
		if !test.OK && test.Failure != nil {
			status = "fails: " + test.Failure.Message
		}
		fmt.Fprintf(stdout, "seed-demo: ACE connection of %-28s (Sandbox, %s) %s\n", p.name, endpoint, status)
	}
	return nil
}

// aceDemoEngagement submits one founder's intake, has the partner it is
// offered to accept it, file a record, link it to ACE and submit it. The
// worker then files and submits the opportunity in the simulator.
func aceDemoEngagement(ctx context.Context, apiURL, endpoint string, partners []aceDemoPartner, stdout io.Writer) error {
	hc := &http.Client{Timeout: 30 * time.Second}
	founder := cloudrouteapi.New(apiURL, "", hc)
	b := intake.Example()
	b.CompanyName, b.Website = "Demo Robotics GmbH", fmt.Sprintf("https://demo-robotics-%d.example", time.Now().Unix())
	b.AWSAccountID = nil
	var sub struct {
		ID string `json:"id"`
	}
	if err := founder.Do(ctx, http.MethodPost, "/v1/intakes", b, http.StatusCreated, &sub); err != nil {
		return fmt.Errorf("submit the demo intake: %w", err)
	}
	// Routing runs in the worker: find the partner it was offered to.
	var holder *cloudrouteapi.Client
	var assignmentID, name string
	for deadline := time.Now().Add(30 * time.Second); holder == nil; {
		for _, p := range partners {
			c := cloudrouteapi.New(apiURL, p.key, hc)
			var page struct {
				Items []struct {
					ID       string `json:"id"`
					IntakeID string `json:"intake_id"`
				} `json:"items"`
			}
			if err := c.Do(ctx, http.MethodGet, "/v1/partner/assignments?status=offered", nil, http.StatusOK, &page); err != nil {
				return err
			}
			for _, a := range page.Items {
				if a.IntakeID == sub.ID {
					holder, assignmentID, name = c, a.ID, p.name
				}
			}
		}
		if holder != nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the demo intake %s was not offered to a connected partner within 30s", sub.ID)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err := holder.Do(ctx, http.MethodPost, "/v1/assignments/"+assignmentID+"/accept", nil, http.StatusOK, nil); err != nil {
		return fmt.Errorf("accept the demo assignment: %w", err)
	}
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(time.DateOnly) }
	record := map[string]any{
		"funding_source": "founders", "requested_usd": 20000, "estimated_annual_spend_usd": 90000, "new_account_placeholder": true,
		"partner_role":          "We design the data pipeline on AWS IoT and Bedrock, run the migration and hold the support contract.",
		"use_case":              "Fleet telemetry ingestion on AWS IoT Core and Kinesis, and an assistant on Bedrock that answers maintenance crews' questions from robot logs.",
		"engagement_start_date": day(14), "go_live_date": day(90),
	}
	var rec struct {
		ID string `json:"id"`
	}
	if err := holder.Do(ctx, http.MethodPost, "/v1/assignments/"+assignmentID+"/ace-records", record, http.StatusCreated, &rec); err != nil {
		return fmt.Errorf("file the demo record: %w", err)
	}
	link := map[string]any{"country_code": "DE", "postal_code": "10115", "city": "Berlin"}
	if err := holder.Do(ctx, http.MethodPost, "/v1/ace-records/"+rec.ID+"/ace-link", link, http.StatusOK, nil); err != nil {
		return fmt.Errorf("link the demo record to ACE: %w", err)
	}
	if err := holder.Do(ctx, http.MethodPost, "/v1/ace-records/"+rec.ID+"/transitions", map[string]any{"to": "submitted"},
		http.StatusOK, nil); err != nil {
		return fmt.Errorf("submit the demo record: %w", err)
	}
	// The worker files and submits it; wait for the opportunity's id.
	opp := ""
	for deadline := time.Now().Add(30 * time.Second); opp == "" && time.Now().Before(deadline); {
		var view struct {
			Sync *struct {
				OpportunityID *string `json:"opportunity_id"`
				ReviewStatus  *string `json:"review_status"`
			} `json:"sync"`
		}
		if err := holder.Do(ctx, http.MethodGet, "/v1/ace-records/"+rec.ID, nil, http.StatusOK, &view); err != nil {
			return err
		}
		if view.Sync != nil && view.Sync.OpportunityID != nil {
			opp = *view.Sync.OpportunityID
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if opp == "" {
		return fmt.Errorf("the demo record %s was not filed in ACE within 30s (GET /v1/ace-records/%s shows why)", rec.ID, rec.ID)
	}
	sim := strings.TrimRight(endpoint, "/")
	fmt.Fprintf(stdout, `seed-demo: demo engagement: %s accepted intake %s, filed record %s,
seed-demo:   linked and submitted it; the simulator holds it as opportunity %s.
seed-demo:   Play AWS's side, then watch the record move within a minute (the poll):
seed-demo:     curl -X POST %s/_sim/opportunities/%s/approve   # record → validated
seed-demo:     curl -X POST %s/_sim/opportunities/%s/launch    # after the award (approved), → launched
seed-demo:   and read it with that partner's key: GET /v1/ace-records/%s
`, name, sub.ID, rec.ID, opp, sim, opp, sim, opp, rec.ID)
	return nil
}
