package acesim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

type operation struct {
	write bool
	fn    func(s *Server, accountID string, body []byte) (any, *apiError)
}

// operations are the calls the simulator answers; any other target is an
// UnknownOperationException.
var operations = map[string]operation{
	"CreateOpportunity":                  {true, (*Server).createOpportunity},
	"GetOpportunity":                     {false, (*Server).getOpportunity},
	"ListOpportunities":                  {false, (*Server).listOpportunities},
	"UpdateOpportunity":                  {true, (*Server).updateOpportunity},
	"AssociateOpportunity":               {true, (*Server).associateOpportunity},
	"SubmitOpportunity":                  {true, (*Server).submitOpportunity},
	"StartEngagementFromOpportunityTask": {true, (*Server).startEngagement},
	"ListEngagementInvitations":          {false, (*Server).listInvitations},
	"AcceptEngagementInvitation":         {true, (*Server).acceptInvitation},
	"RejectEngagementInvitation":         {true, (*Server).rejectInvitation},
}

const maxRequest = 1 << 20

// serveAPI answers one call. The steps follow a real front door: the
// protocol, the signature, the catalog's access, the drills' faults, the
// quotas, then the operation itself.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), pc.TargetPrefix)
	aerr := s.handle(w, r, op)
	status := "200"
	if aerr != nil {
		writeError(w, aerr)
		status = strconv.Itoa(aerr.status) + " " + aerr.typ
	}
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "acesim call", slog.String("operation", op), slog.String("status", status))
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, op string) *apiError {
	if r.Method != http.MethodPost {
		return &apiError{status: 405, typ: "UnknownOperationException", message: "Only POST is supported."}
	}
	o, known := operations[op]
	if !known || !strings.HasPrefix(r.Header.Get("X-Amz-Target"), pc.TargetPrefix) {
		return &apiError{status: 400, typ: "UnknownOperationException", message: "Unknown operation " + op}
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), pc.ContentType) {
		return &apiError{status: 400, typ: "SerializationException", message: "Content-Type must be " + pc.ContentType}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest+1))
	if err != nil || len(body) > maxRequest {
		return &apiError{status: 400, typ: "SerializationException", message: "The request body cannot be read."}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cred, aerr := s.authenticate(r, body)
	if aerr != nil {
		return aerr
	}
	var head struct{ Catalog string }
	if err := json.Unmarshal(body, &head); err != nil {
		return &apiError{status: 400, typ: "SerializationException", message: "The request body is not a JSON object.", modelled: false}
	}
	validCatalog := slices.Contains(pc.Catalogs, head.Catalog)
	if validCatalog && len(cred.Catalogs) > 0 && !slices.Contains(cred.Catalogs, head.Catalog) {
		return accessDenied("The identity is not allowed to use the " + head.Catalog + " catalog.")
	}
	fault := s.fault(op)
	if fault != nil && !fault.AfterCommit {
		return fault.answer()
	}
	if validCatalog {
		if aerr := s.quota(s.catalog(cred.AccountID, head.Catalog), o.write); aerr != nil {
			return aerr
		}
	}
	out, aerr := o.fn(s, cred.AccountID, body)
	if fault != nil {
		// The work is done, and the answer is lost: what a retry must
		// survive without doing it twice.
		return fault.answer()
	}
	if aerr != nil {
		return aerr
	}
	writeJSON(w, 200, out)
	return nil
}

// quota applies the per-catalog, per-identity rates: one write a second
// and ten reads a second (ThrottlingException), and the daily write quota
// (ServiceQuotaExceededException).
func (s *Server) quota(c *catalog, write bool) *apiError {
	now := s.opts.Now()
	if !write {
		if !c.reads.take(now, s.opts.ReadInterval, 10) {
			return throttled()
		}
		return nil
	}
	if day := now.UTC().Format(time.DateOnly); day != c.day {
		c.day, c.writesToday = day, 0
	}
	if c.writesToday >= s.opts.WritesPerDay {
		return quotaExceeded()
	}
	if !c.writes.take(now, s.opts.WriteInterval, 1) {
		return throttled()
	}
	c.writesToday++
	return nil
}

func decode[T any](body []byte) (T, *apiError) {
	var v T
	d := json.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&v); err != nil {
		return v, &apiError{status: 400, typ: "SerializationException", message: "The request body does not match the operation's input: " + err.Error()}
	}
	return v, nil
}

func only(errs []pc.FieldError, source string) []pc.FieldError {
	var out []pc.FieldError
	for _, e := range errs {
		if e.Source == source {
			out = append(out, e)
		}
	}
	return out
}

func opportunityARN(accountID, catalog, id string) string {
	return fmt.Sprintf("arn:aws:partnercentral:%s:%s:catalog/%s/opportunity/%s", pc.DefaultRegion, accountID, catalog, id)
}

func (s *Server) lookup(accountID, catalog, id string) (*opportunity, *apiError) {
	o := s.catalog(accountID, catalog).opps[id]
	if o == nil {
		return nil, notFound(fmt.Sprintf("Opportunity %s was not found in the %s catalog.", id, catalog))
	}
	return o, nil
}

func (s *Server) createOpportunity(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.CreateOpportunityRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	errs := pc.ValidateCreate(req, s.opts.Now())
	if bad := only(errs, pc.SourceModel); len(bad) > 0 {
		return nil, fieldErrors(bad)
	}
	c := s.catalog(accountID, req.Catalog)
	d := digest(req)
	if use, seen := c.creates[req.ClientToken]; seen {
		if use.digest == d {
			return use.answer, nil
		}
		return nil, conflict("Conflicting client token submitted for a new request body.")
	}
	if len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	now := s.now()
	o := &opportunity{
		id:       s.newOpportunityID(),
		catalog:  req.Catalog,
		origin:   req.Origin,
		created:  now,
		modified: now,
		body:     clone(req.Opportunity),
		team:     clone(req.OpportunityTeam),
	}
	o.arn = opportunityARN(accountID, req.Catalog, o.id)
	lc := o.lifeCycle()
	lc.ReviewStatus, lc.ReviewComments, lc.ReviewStatusReason, lc.NextStepsHistory = "", "", "", nil
	if o.origin == pc.OriginPartnerReferral {
		// Review applies to partner referrals only.
		lc.ReviewStatus = pc.ReviewPendingSubmission
	}
	if lc.NextSteps != "" {
		lc.NextStepsHistory = []pc.NextStepsHistory{{Value: lc.NextSteps, Time: now}}
	}
	c.opps[o.id] = o
	answer := pc.CreateOpportunityResponse{Id: o.id, PartnerOpportunityIdentifier: o.body.PartnerOpportunityIdentifier, LastModifiedDate: o.modified}
	c.creates[req.ClientToken] = tokenUse{digest: d, answer: answer}
	return answer, nil
}

func (s *Server) getOpportunity(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.GetOpportunityRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateGet(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	o, aerr := s.lookup(accountID, req.Catalog, req.Identifier)
	if aerr != nil {
		return nil, aerr
	}
	return o.get(), nil
}

func (s *Server) updateOpportunity(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.UpdateOpportunityRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	errs := pc.ValidateUpdate(req, s.opts.Now())
	if bad := only(errs, pc.SourceModel); len(bad) > 0 {
		return nil, fieldErrors(bad)
	}
	o, aerr := s.lookup(accountID, req.Catalog, req.Identifier)
	if aerr != nil {
		return nil, aerr
	}
	status := o.reviewStatus()
	if o.locked() {
		return nil, conflict(fmt.Sprintf("The opportunity's review status is %s: it cannot be updated until AWS completes its review.", status))
	}
	if !req.LastModifiedDate.Equal(o.modified) {
		return nil, conflict(fmt.Sprintf("The opportunity was modified at %s, after the LastModifiedDate sent. Read it again and send its current LastModifiedDate.",
			o.modified.Format(time.RFC3339Nano)))
	}
	if len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	if status == pc.ReviewActionRequired {
		if field := changedOutside(o.body, req.Opportunity, actionRequiredEditable); field != "" {
			return nil, businessError(field, pc.CodeActionNotPermitted,
				"cannot be changed while the review status is Action Required; only the fields AWS asked about can")
		}
	}
	old := o.lifeCycle()
	next := clone(req.Opportunity)
	if next.LifeCycle == nil {
		next.LifeCycle = &pc.LifeCycle{}
	}
	lc := next.LifeCycle
	// The review's members are AWS's: whatever the request says of them
	// is ignored.
	lc.ReviewStatus, lc.ReviewComments, lc.ReviewStatusReason = old.ReviewStatus, old.ReviewComments, old.ReviewStatusReason
	lc.NextStepsHistory = old.NextStepsHistory
	if status == pc.ReviewActionRequired {
		lc.ReviewStatus = pc.ReviewSubmitted // it goes back to AWS's validation
	}
	s.touch(o)
	if lc.NextSteps != "" && lc.NextSteps != old.NextSteps {
		lc.NextStepsHistory = append(lc.NextStepsHistory, pc.NextStepsHistory{Value: lc.NextSteps, Time: o.modified})
		if n := len(lc.NextStepsHistory); n > 50 {
			lc.NextStepsHistory = lc.NextStepsHistory[n-50:]
		}
	}
	o.body = next
	return pc.UpdateOpportunityResponse{Id: o.id, LastModifiedDate: o.modified}, nil
}

// actionRequiredEditable are the members the model's documentation of
// ReviewStatus says stay editable while it is Action Required.
var actionRequiredEditable = []string{
	"Customer.Account.Address.City", "Customer.Account.Address.CountryCode",
	"Customer.Account.Address.PostalCode", "Customer.Account.Address.StateOrRegion",
	"Customer.Account.Address.StreetAddress", "Customer.Account.WebsiteUrl",
	"LifeCycle.TargetCloseDate", "Project.ExpectedCustomerSpend[].Amount",
	"Project.ExpectedCustomerSpend[].CurrencyCode", "Project.CustomerBusinessProblem",
	"PartnerOpportunityIdentifier",
}

var readOnly = []string{"LifeCycle.ReviewStatus", "LifeCycle.ReviewComments", "LifeCycle.ReviewStatusReason", "LifeCycle.NextStepsHistory"}

// changedOutside returns the first member (in path order) whose value
// differs between a and b, leaving out the editable and the read-only
// members, or "" when none does.
func changedOutside(a, b pc.Opportunity, editable []string) string {
	fa, fb := flatten(a), flatten(b)
	var diff []string
	keys := map[string]bool{}
	for k := range fa {
		keys[k] = true
	}
	for k := range fb {
		keys[k] = true
	}
	for k := range keys {
		g := generic(k)
		if slices.Contains(editable, g) || slices.ContainsFunc(readOnly, func(p string) bool { return strings.HasPrefix(g, p) }) {
			continue
		}
		if fa[k] != fb[k] {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	if len(diff) == 0 {
		return ""
	}
	return diff[0]
}

var index = regexp.MustCompile(`\[\d+\]`)

func generic(path string) string { return index.ReplaceAllString(path, "[]") }

// flatten maps every leaf of v's JSON to its path.
func flatten(v any) map[string]string {
	var tree any
	data, _ := json.Marshal(v)
	_ = json.Unmarshal(data, &tree)
	out := map[string]string{}
	var walk func(prefix string, n any)
	walk = func(prefix string, n any) {
		switch t := n.(type) {
		case map[string]any:
			for k, v := range t {
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				walk(p, v)
			}
		case []any:
			for i, v := range t {
				walk(fmt.Sprintf("%s[%d]", prefix, i), v)
			}
		default:
			leaf, _ := json.Marshal(t)
			out[prefix] = string(leaf)
		}
	}
	walk("", tree)
	return out
}

// pageToken encodes a listing's offset; the service's own tokens are
// opaque too.
func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("acesim:" + strconv.Itoa(offset)))
}

func pageOffset(token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(raw), "acesim:"))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(raw), "acesim:")
}

func (s *Server) listOpportunities(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.ListOpportunitiesRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateList(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	offset, ok := pageOffset(req.NextToken)
	if !ok {
		return nil, badNextToken()
	}
	var found []*opportunity
	for _, o := range s.catalog(accountID, req.Catalog).opps {
		if matches(o, req) {
			found = append(found, o)
		}
	}
	sortOpportunities(found, req.Sort)
	size := req.MaxResults
	if size == 0 {
		size = 20
	}
	out := pc.ListOpportunitiesResponse{OpportunitySummaries: []pc.OpportunitySummary{}}
	for i := offset; i < len(found) && i < offset+size; i++ {
		out.OpportunitySummaries = append(out.OpportunitySummaries, found[i].summary())
	}
	if offset+size < len(found) {
		out.NextToken = pageToken(offset + size)
	}
	return out, nil
}

func matches(o *opportunity, req pc.ListOpportunitiesRequest) bool {
	if f := req.LastModifiedDate; f != nil {
		// "on or after" the after date, as the documentation of
		// ListOpportunities says; strictly before the before date.
		if f.AfterLastModifiedDate != nil && o.modified.Before(*f.AfterLastModifiedDate) {
			return false
		}
		if f.BeforeLastModifiedDate != nil && !o.modified.Before(*f.BeforeLastModifiedDate) {
			return false
		}
	}
	if len(req.Identifier) > 0 && !slices.Contains(req.Identifier, o.id) {
		return false
	}
	lc := pc.LifeCycle{}
	if o.body.LifeCycle != nil {
		lc = *o.body.LifeCycle
	}
	if len(req.LifeCycleStage) > 0 && !slices.Contains(req.LifeCycleStage, lc.Stage) {
		return false
	}
	if len(req.LifeCycleReviewStatus) > 0 && !slices.Contains(req.LifeCycleReviewStatus, lc.ReviewStatus) {
		return false
	}
	if len(req.CustomerCompanyName) > 0 {
		name := ""
		if o.body.Customer != nil && o.body.Customer.Account != nil {
			name = o.body.Customer.Account.CompanyName
		}
		if !slices.ContainsFunc(req.CustomerCompanyName, func(n string) bool { return strings.EqualFold(n, name) }) {
			return false
		}
	}
	return true
}

func sortOpportunities(found []*opportunity, by *pc.OpportunitySort) {
	key, desc := pc.SortByLastModifiedDate, true
	if by != nil {
		key, desc = by.SortBy, by.SortOrder == pc.SortDescending
	}
	field := func(o *opportunity) string {
		switch key {
		case pc.SortByIdentifier:
			return fmt.Sprintf("%020s", strings.TrimPrefix(o.id, "O"))
		case pc.SortByCreatedDate:
			return o.created.Format(time.RFC3339Nano)
		case pc.SortByTargetCloseDate:
			if o.body.LifeCycle != nil {
				return o.body.LifeCycle.TargetCloseDate
			}
			return ""
		case pc.SortByCustomerCompanyName:
			if o.body.Customer != nil && o.body.Customer.Account != nil {
				return strings.ToLower(o.body.Customer.Account.CompanyName)
			}
			return ""
		}
		return o.modified.Format("2006-01-02T15:04:05.000Z07:00")
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := field(found[i]), field(found[j])
		if a == b {
			a, b = found[i].id, found[j].id
		}
		if desc {
			return a > b
		}
		return a < b
	})
}

func (s *Server) associateOpportunity(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.AssociateOpportunityRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateAssociate(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	o, aerr := s.lookup(accountID, req.Catalog, req.OpportunityIdentifier)
	if aerr != nil {
		return nil, aerr
	}
	if o.locked() {
		return nil, conflict(fmt.Sprintf("The opportunity's review status is %s: its associations cannot change until AWS completes its review.", o.reviewStatus()))
	}
	var list *[]string
	switch req.RelatedEntityType {
	case pc.RelatedSolutions:
		list = &o.related.Solutions
	case pc.RelatedAwsProducts:
		list = &o.related.AwsProducts
	case pc.RelatedAwsMarketplaceOffers:
		list = &o.related.AwsMarketplaceOffers
	default:
		list = &o.related.AwsMarketplaceOfferSets
	}
	if !slices.Contains(*list, req.RelatedEntityIdentifier) {
		if req.RelatedEntityType == pc.RelatedSolutions && len(*list) >= 10 {
			return nil, businessError("RelatedEntityIdentifier", pc.CodeTooManyValues, "an opportunity takes at most 10 solutions")
		}
		*list = append(*list, req.RelatedEntityIdentifier)
		s.touch(o)
	}
	return struct{}{}, nil
}

// submittable says why an opportunity cannot go to AWS's review, or nil:
// it must be waiting for submission (or for the partner's answer to Action
// Required), be a partner referral, have a solution associated, stand at
// Qualified or later without being lost, and still pass every rule.
func (s *Server) submittable(o *opportunity) *apiError {
	lc := o.lifeCycle()
	switch {
	case o.origin != pc.OriginPartnerReferral:
		return businessError("Origin", pc.CodeActionNotPermitted, "only a partner referral can be submitted for review")
	case lc.ReviewStatus != pc.ReviewPendingSubmission && lc.ReviewStatus != pc.ReviewActionRequired:
		return businessError("LifeCycle.ReviewStatus", pc.CodeInvalidResourceState,
			fmt.Sprintf("is %s; only an opportunity in Pending Submission or Action Required can be submitted", lc.ReviewStatus))
	case len(o.related.Solutions) == 0:
		return businessError("RelatedEntityIdentifiers.Solutions", pc.CodeRequiredFieldMissing,
			"needs at least one solution associated (AssociateOpportunity) before submission")
	case lc.Stage == pc.StageProspect || lc.Stage == pc.StageClosedLost:
		return businessError("LifeCycle.Stage", pc.CodeInvalidValue,
			"must be Qualified or later, and not Closed Lost, for the opportunity to be submitted")
	}
	errs := pc.ValidateUpdate(pc.UpdateOpportunityRequest{
		Catalog: o.catalog, Identifier: o.id, LastModifiedDate: o.modified, Opportunity: o.body,
	}, s.opts.Now())
	if len(errs) > 0 {
		return fieldErrors(errs)
	}
	return nil
}

func (s *Server) submit(o *opportunity, involvement, visibility string) {
	if visibility == "" {
		visibility = pc.VisibilityFull
	}
	o.lifeCycle().ReviewStatus = pc.ReviewSubmitted
	o.involvementType, o.visibility = involvement, visibility
	s.touch(o)
}

func (s *Server) submitOpportunity(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.SubmitOpportunityRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateSubmit(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	o, aerr := s.lookup(accountID, req.Catalog, req.Identifier)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := s.submittable(o); aerr != nil {
		return nil, aerr
	}
	s.submit(o, req.InvolvementType, req.Visibility)
	return struct{}{}, nil
}

// startEngagement runs StartEngagementFromOpportunityTask. The real task is
// asynchronous; here its work is done at once and the answer says
// IN_PROGRESS, as the service's first answer does. A task that cannot
// submit the opportunity answers FAILED with the reason, and its
// ClientToken keeps that answer: a new attempt needs a new token.
func (s *Server) startEngagement(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.StartEngagementFromOpportunityTaskRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateStartEngagement(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	c := s.catalog(accountID, req.Catalog)
	d := digest(req)
	if use, seen := c.tasks[req.ClientToken]; seen {
		if use.digest == d {
			return use.answer, nil
		}
		return nil, conflict("Conflicting client token submitted for a new request body.")
	}
	o, aerr := s.lookup(accountID, req.Catalog, req.Identifier)
	if aerr != nil {
		return nil, aerr
	}
	start := s.now()
	taskID := randomID("task-", 13)
	answer := pc.StartEngagementFromOpportunityTaskResponse{
		TaskId:        taskID,
		TaskArn:       fmt.Sprintf("arn:aws:partnercentral:%s:%s:catalog/%s/engagement-from-opportunity-task/%s", pc.DefaultRegion, accountID, req.Catalog, taskID),
		StartTime:     &start,
		TaskStatus:    pc.TaskInProgress,
		OpportunityId: o.id,
	}
	if why := s.submittable(o); why != nil {
		answer.TaskStatus = pc.TaskFailed
		answer.ReasonCode = pc.ReasonOpportunityValidationFailed
		answer.Message = why.message
		if len(why.errorList) > 0 {
			answer.Message = why.errorList[0].FieldName + " " + why.errorList[0].Message
		}
	} else {
		s.submit(o, req.AwsSubmission.InvolvementType, req.AwsSubmission.Visibility)
	}
	c.tasks[req.ClientToken] = tokenUse{digest: d, answer: answer}
	return answer, nil
}

func (s *Server) listInvitations(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.ListEngagementInvitationsRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateListInvitations(req); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	offset, ok := pageOffset(req.NextToken)
	if !ok {
		return nil, badNextToken()
	}
	out := pc.ListEngagementInvitationsResponse{EngagementInvitationSummaries: []pc.EngagementInvitationSummary{}}
	if req.ParticipantType != pc.ParticipantReceiver {
		// The simulated invitations all come from AWS: the partner
		// sends none.
		return out, nil
	}
	var found []*invitation
	for _, inv := range s.catalog(accountID, req.Catalog).invitations {
		s.expire(inv)
		if len(req.Status) > 0 && !slices.Contains(req.Status, inv.Status) {
			continue
		}
		if len(req.PayloadType) > 0 && !slices.Contains(req.PayloadType, inv.PayloadType) {
			continue
		}
		found = append(found, inv)
	}
	asc := req.Sort != nil && req.Sort.SortOrder == pc.SortAscending
	sort.SliceStable(found, func(i, j int) bool {
		a, b := *found[i].InvitationDate, *found[j].InvitationDate
		if a.Equal(b) {
			return found[i].Id < found[j].Id
		}
		return a.Before(b) == asc
	})
	size := req.MaxResults
	if size == 0 {
		size = 20
	}
	for i := offset; i < len(found) && i < offset+size; i++ {
		out.EngagementInvitationSummaries = append(out.EngagementInvitationSummaries, clone(found[i].EngagementInvitationSummary))
	}
	if offset+size < len(found) {
		out.NextToken = pageToken(offset + size)
	}
	return out, nil
}

func (s *Server) expire(inv *invitation) {
	if inv.Status == pc.InvitationPending && inv.ExpirationDate != nil && !s.opts.Now().Before(*inv.ExpirationDate) {
		inv.Status = pc.InvitationExpired
	}
}

func (s *Server) answerInvitation(accountID, catalog, identifier, to, reason string) *apiError {
	var inv *invitation
	for _, i := range s.catalog(accountID, catalog).invitations {
		if i.Id == identifier || i.Arn == identifier {
			inv = i
		}
	}
	if inv == nil {
		return notFound(fmt.Sprintf("Engagement invitation %s was not found in the %s catalog.", identifier, catalog))
	}
	s.expire(inv)
	if inv.Status != pc.InvitationPending {
		return conflict(fmt.Sprintf("The engagement invitation is %s; only a PENDING invitation can be answered.", inv.Status))
	}
	inv.Status, inv.rejectionReason = to, reason
	return nil
}

func (s *Server) acceptInvitation(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.AcceptEngagementInvitationRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateInvitationAnswer(req.Catalog, req.Identifier, ""); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	if aerr := s.answerInvitation(accountID, req.Catalog, req.Identifier, pc.InvitationAccepted, ""); aerr != nil {
		return nil, aerr
	}
	return struct{}{}, nil
}

func (s *Server) rejectInvitation(accountID string, body []byte) (any, *apiError) {
	req, aerr := decode[pc.RejectEngagementInvitationRequest](body)
	if aerr != nil {
		return nil, aerr
	}
	if errs := pc.ValidateInvitationAnswer(req.Catalog, req.Identifier, req.RejectionReason); len(errs) > 0 {
		return nil, fieldErrors(errs)
	}
	if aerr := s.answerInvitation(accountID, req.Catalog, req.Identifier, pc.InvitationRejected, req.RejectionReason); aerr != nil {
		return nil, aerr
	}
	return struct{}{}, nil
}

// badNextToken is AWS's answer to a NextToken no listing gave.
func badNextToken() *apiError {
	return validation(pc.ReasonRequestValidationFailed,
		[]pc.ValidationExceptionError{{FieldName: "NextToken", Code: pc.CodeInvalidValue, Message: "is not a token this listing gave"}},
		"Invalid NextToken.")
}
