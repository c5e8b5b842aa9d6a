package partnercentral_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/acesim"
	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

func TestCreateOpportunityIsIdempotentByClientToken(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)

	first, err := c.CreateOpportunity(ctx(t), validCreate("rec-0001"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.Id, "O") || first.LastModifiedDate.IsZero() {
		t.Fatalf("create answered %+v", first)
	}
	again, err := c.CreateOpportunity(ctx(t), validCreate("rec-0001"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("the same ClientToken answered differently (-first +again):\n%s", diff)
	}
	if n := len(s.Opportunities()); n != 1 {
		t.Errorf("%d opportunities after two creates with one token, want 1", n)
	}

	changed := validCreate("rec-0001")
	changed.Project.Title = "Another title"
	_, err = c.CreateOpportunity(ctx(t), changed)
	var conflict *pc.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("same token, other body: err = %v, want ConflictException", err)
	}
	if conflict.StatusCode != http.StatusConflict || !strings.Contains(conflict.Message, "Conflicting client token") {
		t.Errorf("conflict = %+v", conflict)
	}
}

func TestGetOpportunityReturnsWhatWasCreated(t *testing.T) {
	_, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-get"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastModifiedDate.Equal(created.LastModifiedDate) || got.Id != created.Id || got.Catalog != pc.CatalogSandbox {
		t.Errorf("get = %s %s %v, want %s Sandbox %v", got.Id, got.Catalog, got.LastModifiedDate, created.Id, created.LastModifiedDate)
	}
	want := validOpportunity()
	want.LifeCycle.ReviewStatus = pc.ReviewPendingSubmission
	if diff := cmp.Diff(want, got.Opportunity); diff != "" {
		t.Errorf("opportunity read back (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got.Arn, "arn:aws:partnercentral:us-east-1:"+acesim.TestCredential.AccountID+":catalog/Sandbox/opportunity/") {
		t.Errorf("arn = %q", got.Arn)
	}
}

func TestListOpportunitiesModifiedSince(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	a, err := c.CreateOpportunity(ctx(t), validCreate("rec-a"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateOpportunity(ctx(t), validCreate("rec-b"))
	if err != nil {
		t.Fatal(err)
	}
	other := validCreate("rec-aws")
	other.Catalog = pc.CatalogAWS
	if _, err := c.CreateOpportunity(ctx(t), other); err != nil {
		t.Fatal(err)
	}

	all, err := c.ListOpportunitiesModifiedSince(ctx(t), pc.CatalogSandbox, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(all); !cmp.Equal(got, []string{a.Id, b.Id}) {
		t.Errorf("everything in Sandbox = %v, want %v (and not the AWS catalog's)", got, []string{a.Id, b.Id})
	}

	// The cursor is the latest LastModifiedDate read from AWS; the
	// listing is inclusive, so b comes again, and then whatever moved.
	cursor := b.LastModifiedDate
	submit(t, c, s, a.Id)
	changed, err := c.ListOpportunitiesModifiedSince(ctx(t), pc.CatalogSandbox, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(changed); !cmp.Equal(got, []string{b.Id, a.Id}) {
		t.Errorf("modified since b's date = %v, want [b a] oldest change first", got)
	}
	last := changed[len(changed)-1]
	if last.LifeCycle == nil || last.LifeCycle.ReviewStatus != pc.ReviewSubmitted {
		t.Errorf("a's summary carries %+v, want review status Submitted", last.LifeCycle)
	}

	// Pages: one opportunity a page still lists both.
	page, err := c.ListOpportunities(ctx(t), pc.ListOpportunitiesRequest{Catalog: pc.CatalogSandbox, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.OpportunitySummaries) != 1 || page.NextToken == "" {
		t.Fatalf("first page = %d items, token %q", len(page.OpportunitySummaries), page.NextToken)
	}
	next, err := c.ListOpportunities(ctx(t), pc.ListOpportunitiesRequest{Catalog: pc.CatalogSandbox, MaxResults: 1, NextToken: page.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.OpportunitySummaries) != 1 || next.NextToken != "" || next.OpportunitySummaries[0].Id == page.OpportunitySummaries[0].Id {
		t.Errorf("second page = %+v", next)
	}
}

func ids(list []pc.OpportunitySummary) []string {
	var out []string
	for _, o := range list {
		out = append(out, o.Id)
	}
	return out
}

// submit associates a solution and starts the engagement, as the sync does.
func submit(t *testing.T, c *pc.Client, s *acesim.Server, id string) {
	t.Helper()
	if err := c.AssociateOpportunity(ctx(t), pc.AssociateOpportunityRequest{
		Catalog: pc.CatalogSandbox, OpportunityIdentifier: id,
		RelatedEntityType: pc.RelatedSolutions, RelatedEntityIdentifier: "S-0000001",
	}); err != nil {
		t.Fatal(err)
	}
	task, err := c.StartEngagementFromOpportunityTask(ctx(t), pc.StartEngagementFromOpportunityTaskRequest{
		Catalog: pc.CatalogSandbox, ClientToken: id + "/submit", Identifier: id,
		AwsSubmission: pc.AwsSubmission{InvolvementType: pc.InvolvementCoSell, Visibility: pc.VisibilityFull},
	})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskStatus != pc.TaskInProgress || !strings.HasPrefix(task.TaskId, "task-") || task.OpportunityId != id {
		t.Fatalf("task = %+v", task)
	}
}

func TestUpdateWithStaleDateConflictsThenRereadSucceeds(t *testing.T) {
	_, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-upd"))
	if err != nil {
		t.Fatal(err)
	}
	read, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	update := func(from *pc.GetOpportunityResponse, title string) (*pc.UpdateOpportunityResponse, error) {
		o := from.Opportunity
		o.Project.Title = title
		return c.UpdateOpportunity(ctx(t), pc.UpdateOpportunityRequest{
			Catalog: pc.CatalogSandbox, Identifier: from.Id, LastModifiedDate: from.LastModifiedDate, Opportunity: o,
		})
	}
	first, err := update(read, "First edit")
	if err != nil {
		t.Fatal(err)
	}
	if !first.LastModifiedDate.After(read.LastModifiedDate) {
		t.Errorf("update moved LastModifiedDate from %v to %v", read.LastModifiedDate, first.LastModifiedDate)
	}

	// A second writer still holding the first read is stale.
	_, err = update(read, "Stale edit")
	var conflict *pc.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("update with a stale LastModifiedDate: err = %v, want ConflictException", err)
	}
	if pc.Retryable(err) {
		t.Error("a conflict is retryable; it must be resolved by reading again")
	}

	// Resolved by reading again and sending the whole payload.
	fresh, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := update(fresh, "Second edit"); err != nil {
		t.Fatal(err)
	}
	final, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if final.Project.Title != "Second edit" || final.Customer.Account.CompanyName != "Ledgerly Ltd" {
		t.Errorf("after the re-read update: title %q, company %q", final.Project.Title, final.Customer.Account.CompanyName)
	}

	// A member left out of an update becomes null: the client must send
	// the full payload.
	partial := final.Opportunity
	partial.Customer.Contacts = nil
	if _, err := c.UpdateOpportunity(ctx(t), pc.UpdateOpportunityRequest{
		Catalog: pc.CatalogSandbox, Identifier: final.Id, LastModifiedDate: final.LastModifiedDate, Opportunity: partial,
	}); err != nil {
		t.Fatal(err)
	}
	after, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Customer.Contacts) != 0 {
		t.Errorf("contacts left out of the update survived: %+v", after.Customer.Contacts)
	}
}

func TestSubmissionLocksEditsUntilReviewed(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-sub"))
	if err != nil {
		t.Fatal(err)
	}

	// Without a solution the task fails and says why.
	task, err := c.StartEngagementFromOpportunityTask(ctx(t), pc.StartEngagementFromOpportunityTaskRequest{
		Catalog: pc.CatalogSandbox, ClientToken: "rec-sub/submit/1", Identifier: created.Id,
		AwsSubmission: pc.AwsSubmission{InvolvementType: pc.InvolvementCoSell},
	})
	if err != nil {
		t.Fatal(err)
	}
	if task.TaskStatus != pc.TaskFailed || task.ReasonCode != pc.ReasonOpportunityValidationFailed ||
		!strings.HasPrefix(task.Message, "RelatedEntityIdentifiers.Solutions") {
		t.Errorf("task without a solution = %+v, want FAILED naming RelatedEntityIdentifiers.Solutions", task)
	}

	submit(t, c, s, created.Id)
	got, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if got.LifeCycle.ReviewStatus != pc.ReviewSubmitted {
		t.Fatalf("review status after the task = %q, want Submitted", got.LifeCycle.ReviewStatus)
	}
	if !cmp.Equal(got.RelatedEntityIdentifiers.Solutions, []string{"S-0000001"}) {
		t.Errorf("solutions = %v", got.RelatedEntityIdentifiers.Solutions)
	}

	// Locked while Submitted, even with the current LastModifiedDate.
	_, err = c.UpdateOpportunity(ctx(t), pc.UpdateOpportunityRequest{
		Catalog: pc.CatalogSandbox, Identifier: got.Id, LastModifiedDate: got.LastModifiedDate, Opportunity: got.Opportunity,
	})
	var conflict *pc.ConflictException
	if !errors.As(err, &conflict) || !strings.Contains(conflict.Message, "Submitted") {
		t.Errorf("update while Submitted: err = %v, want ConflictException naming the review", err)
	}

	// Submitting twice: the second finds it submitted.
	err = c.SubmitOpportunity(ctx(t), pc.SubmitOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: got.Id, InvolvementType: pc.InvolvementCoSell})
	var invalid *pc.ValidationException
	if !errors.As(err, &invalid) || invalid.Reason != pc.ReasonBusinessValidationFailed ||
		len(invalid.ErrorList) != 1 || invalid.ErrorList[0].Code != pc.CodeInvalidResourceState {
		t.Errorf("second submit: err = %v, want a business ValidationException INVALID_RESOURCE_STATE", err)
	}

	// SubmitOpportunity itself, on another opportunity.
	other, err := c.CreateOpportunity(ctx(t), validCreate("rec-sub-2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AssociateOpportunity(ctx(t), pc.AssociateOpportunityRequest{
		Catalog: pc.CatalogSandbox, OpportunityIdentifier: other.Id, RelatedEntityType: pc.RelatedSolutions, RelatedEntityIdentifier: pc.SolutionOther,
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.SubmitOpportunity(ctx(t), pc.SubmitOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: other.Id, InvolvementType: pc.InvolvementCoSell}); err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Opportunity(other.Id)
	if rec.Opportunity.LifeCycle.ReviewStatus != pc.ReviewSubmitted {
		t.Errorf("after SubmitOpportunity: %q", rec.Opportunity.LifeCycle.ReviewStatus)
	}
}

func TestValidationErrorsComeInAWSShape(t *testing.T) {
	_, url := sim(t, acesim.Options{})
	c, logs := client(t, url)

	// A break of the model's own constraints: request validation.
	req := validCreate("rec-bad")
	req.Project.CustomerBusinessProblem = "Too short"
	req.Customer.Account.Address.CountryCode = "XX"
	_, err := c.CreateOpportunity(ctx(t), req)
	var v *pc.ValidationException
	if !errors.As(err, &v) {
		t.Fatalf("err = %v, want ValidationException", err)
	}
	if v.StatusCode != 400 || v.Reason != pc.ReasonRequestValidationFailed {
		t.Errorf("status %d reason %q", v.StatusCode, v.Reason)
	}
	want := []pc.ValidationExceptionError{
		{FieldName: "Customer.Account.Address.CountryCode", Code: pc.CodeInvalidEnumValue, Message: "must be a two-letter ISO 3166 country code that ACE lists"},
		{FieldName: "Project.CustomerBusinessProblem", Code: pc.CodeInvalidStringFormat, Message: "must be at least 20 characters (has 9)"},
	}
	if diff := cmp.Diff(want, v.ErrorList); diff != "" {
		t.Errorf("ErrorList (-want +got):\n%s", diff)
	}
	if got := v.FieldErrors()[1].String(); got != "Project.CustomerBusinessProblem must be at least 20 characters (has 9)" {
		t.Errorf("as the partner reads it: %q", got)
	}
	// The client's pre-flight finds exactly what the service found.
	pre := pc.ValidateCreate(req, time.Now())
	if diff := cmp.Diff(v.FieldErrors(), pre); diff != "" {
		t.Errorf("pre-flight and service disagree (-service +pre-flight):\n%s", diff)
	}
	if n := logs.attempts("CreateOpportunity"); n != 1 {
		t.Errorf("a ValidationException was tried %d times, want 1", n)
	}

	// Only ACE's mandatory fields missing: business validation.
	req = validCreate("rec-bad-2")
	req.Customer.Account.Address.PostalCode = ""
	req.Project.SalesActivities = nil
	_, err = c.CreateOpportunity(ctx(t), req)
	if !errors.As(err, &v) || v.Reason != pc.ReasonBusinessValidationFailed {
		t.Fatalf("err = %v, want BUSINESS_VALIDATION_FAILED", err)
	}
	if got := []string{v.ErrorList[0].FieldName, v.ErrorList[1].FieldName}; !cmp.Equal(got, []string{"Customer.Account.Address.PostalCode", "Project.SalesActivities"}) ||
		v.ErrorList[0].Code != pc.CodeRequiredFieldMissing {
		t.Errorf("ErrorList = %+v", v.ErrorList)
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, logs := client(t, url)

	s.InjectFault(acesim.Fault{Status: 429, Count: 2, Operations: []string{"CreateOpportunity"}})
	if _, err := c.CreateOpportunity(ctx(t), validCreate("rec-429")); err != nil {
		t.Fatalf("create through two 429s: %v", err)
	}
	if n := logs.attempts("CreateOpportunity"); n != 3 {
		t.Errorf("%d attempts through two 429s, want 3", n)
	}
	if !strings.Contains(logs.String(), `status="429 ThrottlingException"`) {
		t.Errorf("the log does not show the throttling:\n%s", logs)
	}

	s.InjectFault(acesim.Fault{Status: 500, Count: 2, Operations: []string{"GetOpportunity"}})
	rec := s.Opportunities()[0]
	if _, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: rec.Opportunity.Id}); err != nil {
		t.Fatalf("get through two 500s: %v", err)
	}

	// Bounded: a service that keeps failing is given up on.
	s.InjectFault(acesim.Fault{Status: 500, Count: 100, Operations: []string{"ListOpportunities"}})
	_, err := c.ListOpportunities(ctx(t), pc.ListOpportunitiesRequest{Catalog: pc.CatalogSandbox})
	var internal *pc.InternalServerException
	if !errors.As(err, &internal) {
		t.Fatalf("err = %v, want InternalServerException", err)
	}
	if n := logs.attempts("ListOpportunities"); n != 4 {
		t.Errorf("%d attempts, want MaxAttempts = 4", n)
	}
}

// The drill: the service does the work but its answer is lost (a 500 after
// the commit), twice. The retries carry the same ClientToken, so there is
// still one opportunity.
func TestLostAnswersDuplicateNothing(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	s.InjectFault(acesim.Fault{Status: 500, Count: 2, AfterCommit: true, Operations: []string{"CreateOpportunity"}})
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-drill"))
	if err != nil {
		t.Fatal(err)
	}
	all := s.Opportunities()
	if len(all) != 1 || all[0].Opportunity.Id != created.Id {
		t.Fatalf("after two lost answers: %d opportunities, want the one answered (%s)", len(all), created.Id)
	}
}

// The real quota: one write a second per catalog and identity. Two writes
// at once: the second is throttled and goes through on a retry.
func TestWriteQuotaThrottlesAndRetrySucceeds(t *testing.T) {
	s, url := sim(t, acesim.Options{WriteInterval: time.Second})
	c, logs := client(t, url, func(cfg *pc.Config) {
		cfg.Retry = pc.RetryPolicy{MaxAttempts: 6, BaseDelay: 200 * time.Millisecond, MaxDelay: 2 * time.Second}
	})
	for _, token := range []string{"rec-q1", "rec-q2"} {
		if _, err := c.CreateOpportunity(ctx(t), validCreate(token)); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(logs.String(), `status="429 ThrottlingException"`) {
		t.Error("the second write within a second was not throttled")
	}
	if n := len(s.Opportunities()); n != 2 {
		t.Errorf("%d opportunities, want 2", n)
	}
}

func TestSignatureIsVerified(t *testing.T) {
	_, url := sim(t, acesim.Options{})
	good := acesim.TestCredential
	cases := []struct {
		name  string
		cfg   func(*pc.Config)
		code  string
		typed bool
	}{
		{"wrong secret", func(c *pc.Config) {
			c.Credentials = pc.StaticCredentials(good.AccessKeyID, "not-the-secret", "")
		}, "InvalidSignatureException", false},
		{"unknown key", func(c *pc.Config) {
			c.Credentials = pc.StaticCredentials("AKIAUNKNOWN000000000", good.SecretAccessKey, "")
		}, "UnrecognizedClientException", false},
		{"clock an hour off", func(c *pc.Config) {
			c.Now = func() time.Time { return time.Now().Add(-time.Hour) }
		}, "InvalidSignatureException", false},
		{"other region", func(c *pc.Config) { c.Region = "eu-west-1" }, "InvalidSignatureException", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, logs := client(t, url, tc.cfg)
			err := c.TestConnection(ctx(t), pc.CatalogSandbox)
			if pc.ErrorCode(err) != tc.code || pc.StatusCode(err) != http.StatusForbidden {
				t.Fatalf("err = %v, want 403 %s", err, tc.code)
			}
			if n := logs.attempts("ListOpportunities"); n != 1 {
				t.Errorf("an authentication error was tried %d times", n)
			}
		})
	}

	// No signature at all.
	unsigned, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{"Catalog":"Sandbox"}`))
	unsigned.Header.Set("Content-Type", pc.ContentType)
	unsigned.Header.Set("X-Amz-Target", pc.TargetPrefix+"ListOpportunities")
	resp, err := http.DefaultClient.Do(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}

	// The right keys pass.
	c, _ := client(t, url)
	if err := c.TestConnection(ctx(t), pc.CatalogSandbox); err != nil {
		t.Errorf("test connection with the right keys: %v", err)
	}
}

func TestCatalogsAreKeptApart(t *testing.T) {
	sandboxOnly := acesim.Credential{AccessKeyID: "AKIASANDBOXONLY00001", SecretAccessKey: "sandbox-secret", AccountID: "444455556666", Catalogs: []string{pc.CatalogSandbox}}
	_, url := sim(t, acesim.Options{Credentials: []acesim.Credential{acesim.TestCredential, sandboxOnly}})
	c, _ := client(t, url)
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-cat"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogAWS, Identifier: created.Id})
	var nf *pc.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("a Sandbox opportunity read in the AWS catalog: err = %v, want ResourceNotFoundException", err)
	}

	// Another partner account does not see it either.
	other, _ := client(t, url, func(cfg *pc.Config) {
		cfg.Credentials = pc.StaticCredentials(sandboxOnly.AccessKeyID, sandboxOnly.SecretAccessKey, "")
	})
	if _, err := other.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id}); !errors.As(err, &nf) {
		t.Errorf("another account reading it: err = %v, want ResourceNotFoundException", err)
	}
	err = other.TestConnection(ctx(t), pc.CatalogAWS)
	var denied *pc.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("Sandbox-only keys on the AWS catalog: err = %v, want AccessDeniedException", err)
	}

	// Origin AWS Referral is a Sandbox-only simulation.
	req := validCreate("rec-awsref")
	req.Catalog, req.Origin = pc.CatalogAWS, pc.OriginAWSReferral
	_, err = c.CreateOpportunity(ctx(t), req)
	var v *pc.ValidationException
	if !errors.As(err, &v) || v.ErrorList[0].FieldName != "Origin" {
		t.Errorf("AWS Referral in the AWS catalog: err = %v", err)
	}
}

func TestControlAPIDrivesTheReview(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	created, err := c.CreateOpportunity(ctx(t), validCreate("rec-review"))
	if err != nil {
		t.Fatal(err)
	}
	submit(t, c, s, created.Id)

	control := func(action, body string) int {
		t.Helper()
		resp, err := http.Post(url+"/_sim/opportunities/"+created.Id+"/"+action, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	get := func() *pc.GetOpportunityResponse {
		t.Helper()
		o, err := c.GetOpportunity(ctx(t), pc.GetOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: created.Id})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}

	if code := control("launch", ""); code != http.StatusConflict {
		t.Errorf("launching an unreviewed opportunity: %d, want 409", code)
	}
	if code := control("start-review", ""); code != http.StatusOK {
		t.Fatalf("start-review: %d", code)
	}
	if got := get().LifeCycle.ReviewStatus; got != pc.ReviewInReview {
		t.Errorf("after start-review: %q", got)
	}
	if code := control("require-action", `{"reason":"Customer website unreachable","comments":"Give the customer's production website."}`); code != http.StatusOK {
		t.Fatalf("require-action: %d", code)
	}
	o := get()
	if o.LifeCycle.ReviewStatus != pc.ReviewActionRequired || o.LifeCycle.ReviewComments != "Give the customer's production website." ||
		o.LifeCycle.ReviewStatusReason != "Customer website unreachable" {
		t.Errorf("after require-action: %+v", o.LifeCycle)
	}

	// While Action Required only the fields AWS asks about may change.
	fix := o.Opportunity
	fix.Project.Title = "Renamed"
	_, err = c.UpdateOpportunity(ctx(t), pc.UpdateOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: o.Id, LastModifiedDate: o.LastModifiedDate, Opportunity: fix})
	var v *pc.ValidationException
	if !errors.As(err, &v) || v.ErrorList[0].FieldName != "Project.Title" || v.ErrorList[0].Code != pc.CodeActionNotPermitted {
		t.Errorf("changing the title while Action Required: err = %v", err)
	}
	fix = get().Opportunity
	fix.Customer.Account.WebsiteUrl = "https://www.ledgerly.example.com"
	if _, err := c.UpdateOpportunity(ctx(t), pc.UpdateOpportunityRequest{Catalog: pc.CatalogSandbox, Identifier: o.Id, LastModifiedDate: o.LastModifiedDate, Opportunity: fix}); err != nil {
		t.Fatalf("fixing the website: %v", err)
	}
	if got := get().LifeCycle.ReviewStatus; got != pc.ReviewSubmitted {
		t.Errorf("after the fix: %q, want back to Submitted", got)
	}

	if code := control("approve", ""); code != http.StatusOK {
		t.Fatalf("approve: %d", code)
	}
	if code := control("launch", ""); code != http.StatusOK {
		t.Fatalf("launch: %d", code)
	}
	o = get()
	if o.LifeCycle.ReviewStatus != pc.ReviewApproved || o.LifeCycle.Stage != pc.StageLaunched {
		t.Errorf("after approve and launch: %+v", o.LifeCycle)
	}

	// Rejection, on another opportunity, carries AWS's reason.
	other, err := c.CreateOpportunity(ctx(t), validCreate("rec-reject"))
	if err != nil {
		t.Fatal(err)
	}
	submit(t, c, s, other.Id)
	if err := s.Reject(other.Id, "Duplicate opportunity", "An opportunity for this customer exists."); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseLost(other.Id, "No Opportunity"); err != nil {
		t.Fatal(err)
	}
	rec, _ := s.Opportunity(other.Id)
	if lc := rec.Opportunity.LifeCycle; lc.ReviewStatus != pc.ReviewRejected || lc.ReviewStatusReason != "Duplicate opportunity" ||
		lc.Stage != pc.StageClosedLost || lc.ClosedLostReason != "No Opportunity" {
		t.Errorf("after reject and close-lost: %+v", lc)
	}
	if err := s.Approve("O1"); !errors.Is(err, acesim.ErrNotFound) {
		t.Errorf("approving an unknown opportunity: %v", err)
	}
}

func TestEngagementInvitations(t *testing.T) {
	s, url := sim(t, acesim.Options{})
	c, _ := client(t, url)
	first, err := s.Invite(acesim.Invitation{Title: "Fintech migration"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Invite(acesim.Invitation{Title: "Healthtech build"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListEngagementInvitations(ctx(t), pc.ListEngagementInvitationsRequest{
		Catalog: pc.CatalogSandbox, ParticipantType: pc.ParticipantReceiver, Status: []string{pc.InvitationPending},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.EngagementInvitationSummaries) != 2 {
		t.Fatalf("pending invitations = %+v", list.EngagementInvitationSummaries)
	}
	if err := c.AcceptEngagementInvitation(ctx(t), pc.AcceptEngagementInvitationRequest{Catalog: pc.CatalogSandbox, Identifier: first.Id}); err != nil {
		t.Fatal(err)
	}
	err = c.AcceptEngagementInvitation(ctx(t), pc.AcceptEngagementInvitationRequest{Catalog: pc.CatalogSandbox, Identifier: first.Id})
	var conflict *pc.ConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("accepting twice: err = %v, want ConflictException", err)
	}
	if err := c.RejectEngagementInvitation(ctx(t), pc.RejectEngagementInvitationRequest{
		Catalog: pc.CatalogSandbox, Identifier: second.Arn, RejectionReason: "Unable to support",
	}); err != nil {
		t.Fatal(err)
	}
	list, err = c.ListEngagementInvitations(ctx(t), pc.ListEngagementInvitationsRequest{Catalog: pc.CatalogSandbox, ParticipantType: pc.ParticipantReceiver})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, inv := range list.EngagementInvitationSummaries {
		status[inv.Id] = inv.Status
	}
	if status[first.Id] != pc.InvitationAccepted || status[second.Id] != pc.InvitationRejected {
		t.Errorf("statuses = %v", status)
	}
	if err := c.AcceptEngagementInvitation(ctx(t), pc.AcceptEngagementInvitationRequest{Catalog: pc.CatalogSandbox, Identifier: "engi-0000000000000"}); !errors.As(err, new(*pc.ResourceNotFoundException)) {
		t.Errorf("unknown invitation: %v", err)
	}
}

// The log says which call, how it went and how long it took; never what
// it carried.
func TestLogsCarryNoCustomerData(t *testing.T) {
	_, url := sim(t, acesim.Options{})
	c, logs := client(t, url)
	req := validCreate("rec-log")
	req.Customer.Account.CompanyName = "Zebrafish Confidential Holdings"
	req.Project.CustomerBusinessProblem = "A secret business problem only the customer should read."
	if _, err := c.CreateOpportunity(ctx(t), req); err != nil {
		t.Fatal(err)
	}
	bad := req
	bad.ClientToken = "rec-log-2"
	bad.Customer = &pc.Customer{Account: &pc.Account{CompanyName: strings.Repeat("Zebrafish ", 20)}}
	_, _ = c.CreateOpportunity(ctx(t), bad)
	out := logs.String()
	for _, secret := range []string{"Zebrafish", "secret business", "ledgerly", "cto@"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"operation=CreateOpportunity", "status=200", `status="400 ValidationException"`, "latency_ms="} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}
