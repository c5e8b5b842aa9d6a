package acesim

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// account is one partner account's state; its catalogs never share an
// opportunity.
type account struct {
	id       string
	catalogs map[string]*catalog
}

type catalog struct {
	name        string
	opps        map[string]*opportunity
	creates     map[string]tokenUse // CreateOpportunity by ClientToken
	tasks       map[string]tokenUse // StartEngagementFromOpportunityTask by ClientToken
	invitations map[string]*invitation
	writes      bucket
	reads       bucket
	day         string // the UTC day writesToday counts
	writesToday int
}

// tokenUse is what a ClientToken was first used for: the request's digest,
// to tell a retry from a different request, and the answer to give again.
type tokenUse struct {
	digest [32]byte
	answer any
}

type opportunity struct {
	id, arn         string
	catalog         string
	origin          string
	created         time.Time
	modified        time.Time
	body            pc.Opportunity
	team            []pc.Contact
	related         pc.RelatedEntityIdentifiers
	involvementType string
	visibility      string
}

type invitation struct {
	pc.EngagementInvitationSummary
	rejectionReason string
}

func (s *Server) catalog(accountID, name string) *catalog {
	a := s.accounts[accountID]
	if a == nil {
		a = &account{id: accountID, catalogs: map[string]*catalog{}}
		s.accounts[accountID] = a
	}
	c := a.catalogs[name]
	if c == nil {
		c = &catalog{
			name:        name,
			opps:        map[string]*opportunity{},
			creates:     map[string]tokenUse{},
			tasks:       map[string]tokenUse{},
			invitations: map[string]*invitation{},
		}
		a.catalogs[name] = c
	}
	return c
}

// find looks an opportunity up in every account and catalog, for the
// control API, which plays AWS and sees everything.
func (s *Server) find(id string) (*opportunity, *catalog, string) {
	for _, a := range s.accounts {
		for _, c := range a.catalogs {
			if o := c.opps[id]; o != nil {
				return o, c, a.id
			}
		}
	}
	return nil, nil, ""
}

// touch moves an opportunity's LastModifiedDate to now, and always forward
// by at least a millisecond, so that a read before a change is always
// stale after it, and a listing from a LastModifiedDate finds the change.
func (s *Server) touch(o *opportunity) {
	t := s.now()
	if !t.After(o.modified) {
		t = o.modified.Add(time.Millisecond)
	}
	o.modified = t
}

func (s *Server) newOpportunityID() string {
	s.nextID++
	return fmt.Sprintf("O%d", s.nextID)
}

// randomID returns prefix and n lower-case letters and digits, the form of
// the service's task, engagement and invitation ids.
func randomID(prefix string, n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

func digest(v any) [32]byte {
	data, _ := json.Marshal(v)
	return sha256.Sum256(data)
}

func (o *opportunity) reviewStatus() string {
	if o.body.LifeCycle == nil {
		return ""
	}
	return o.body.LifeCycle.ReviewStatus
}

func (o *opportunity) lifeCycle() *pc.LifeCycle {
	if o.body.LifeCycle == nil {
		o.body.LifeCycle = &pc.LifeCycle{}
	}
	return o.body.LifeCycle
}

// locked reports whether AWS's review keeps the partner from changing the
// opportunity: while it is Submitted or In review, and for good once
// Rejected.
func (o *opportunity) locked() bool {
	switch o.reviewStatus() {
	case pc.ReviewSubmitted, pc.ReviewInReview, pc.ReviewRejected:
		return true
	}
	return false
}

func (o *opportunity) get() pc.GetOpportunityResponse {
	return pc.GetOpportunityResponse{
		Catalog:                  o.catalog,
		Id:                       o.id,
		Arn:                      o.arn,
		Opportunity:              clone(o.body),
		LastModifiedDate:         o.modified,
		CreatedDate:              o.created,
		RelatedEntityIdentifiers: clone(o.related),
		OpportunityTeam:          clone(o.team),
	}
}

func (o *opportunity) summary() pc.OpportunitySummary {
	b := clone(o.body)
	mod, created := o.modified, o.created
	out := pc.OpportunitySummary{
		Catalog:                      o.catalog,
		Id:                           o.id,
		Arn:                          o.arn,
		PartnerOpportunityIdentifier: b.PartnerOpportunityIdentifier,
		OpportunityType:              b.OpportunityType,
		LastModifiedDate:             &mod,
		CreatedDate:                  &created,
	}
	if lc := b.LifeCycle; lc != nil {
		out.LifeCycle = &pc.LifeCycleSummary{
			Stage: lc.Stage, ClosedLostReason: lc.ClosedLostReason, NextSteps: lc.NextSteps,
			TargetCloseDate: lc.TargetCloseDate, ReviewStatus: lc.ReviewStatus,
			ReviewComments: lc.ReviewComments, ReviewStatusReason: lc.ReviewStatusReason,
		}
	}
	if b.Customer != nil && b.Customer.Account != nil {
		a := b.Customer.Account
		acct := &pc.AccountSummary{Industry: a.Industry, OtherIndustry: a.OtherIndustry, CompanyName: a.CompanyName, WebsiteUrl: a.WebsiteUrl}
		if ad := a.Address; ad != nil {
			acct.Address = &pc.AddressSummary{City: ad.City, PostalCode: ad.PostalCode, StateOrRegion: ad.StateOrRegion, CountryCode: ad.CountryCode}
		}
		out.Customer = &pc.CustomerSummary{Account: acct}
	}
	if p := b.Project; p != nil {
		out.Project = &pc.ProjectSummary{DeliveryModels: p.DeliveryModels, ExpectedCustomerSpend: p.ExpectedCustomerSpend, ExpectedContractDuration: p.ExpectedContractDuration}
	}
	return out
}

// clone copies a value through JSON, so that what the simulator hands out
// and what it keeps never share memory.
func clone[T any](v T) T {
	var out T
	data, _ := json.Marshal(v)
	_ = json.Unmarshal(data, &out)
	return out
}

// bucket is an in-memory token bucket kept as its theoretical arrival
// time, like the client's Redis limiter.
type bucket struct{ tat time.Time }

// take reports whether a call may go at now, and takes its token if so.
func (b *bucket) take(now time.Time, interval time.Duration, burst int) bool {
	if interval < 0 {
		return true
	}
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	if now.Before(tat.Add(-time.Duration(burst-1) * interval)) {
		return false
	}
	b.tat = tat.Add(interval)
	return true
}
