package partnercentral

import (
	"context"
	"time"
)

// The operations. Each returns the typed errors of errors.go: a
// *ValidationException, *ConflictException, *ThrottlingException,
// *AccessDeniedException, *ResourceNotFoundException,
// *ServiceQuotaExceededException or *InternalServerException for the
// service's modelled answers, an *APIError for any other error answer (for
// example UnrecognizedClientException or InvalidSignatureException when
// the credentials are wrong), and a plain error when no answer came.
// Throttling and server errors have already been retried when they are
// returned.

// CreateOpportunity creates an opportunity in Pending Submission. A repeat
// with the same ClientToken and body answers with the same opportunity, so
// CloudRoute passes the record's id and may retry freely; the same token
// with another body is a ConflictException.
func (c *Client) CreateOpportunity(ctx context.Context, in CreateOpportunityRequest) (*CreateOpportunityResponse, error) {
	var out CreateOpportunityResponse
	if err := c.call(ctx, "CreateOpportunity", true, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetOpportunity reads a whole opportunity: what UpdateOpportunity needs to
// send back, and its review status and stage.
func (c *Client) GetOpportunity(ctx context.Context, in GetOpportunityRequest) (*GetOpportunityResponse, error) {
	var out GetOpportunityResponse
	if err := c.call(ctx, "GetOpportunity", false, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOpportunities reads one page of opportunity summaries.
func (c *Client) ListOpportunities(ctx context.Context, in ListOpportunitiesRequest) (*ListOpportunitiesResponse, error) {
	var out ListOpportunitiesResponse
	if err := c.call(ctx, "ListOpportunities", false, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListOpportunitiesModifiedSince reads every page of the opportunities of
// catalog created or updated at or after since, oldest change first: the
// polling the sync falls back on when no event arrives. since should be the
// latest LastModifiedDate read from AWS, not a CloudRoute time, so clocks
// never disagree; an opportunity modified exactly at since comes again and
// must be handled idempotently. A zero since lists everything.
func (c *Client) ListOpportunitiesModifiedSince(ctx context.Context, catalog string, since time.Time) ([]OpportunitySummary, error) {
	in := ListOpportunitiesRequest{
		Catalog:    catalog,
		MaxResults: 100,
		Sort:       &OpportunitySort{SortBy: SortByLastModifiedDate, SortOrder: SortAscending},
	}
	if !since.IsZero() {
		s := since.UTC()
		in.LastModifiedDate = &LastModifiedDateFilter{AfterLastModifiedDate: &s}
	}
	var all []OpportunitySummary
	for {
		page, err := c.ListOpportunities(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, page.OpportunitySummaries...)
		if page.NextToken == "" {
			return all, nil
		}
		in.NextToken = page.NextToken
	}
}

// UpdateOpportunity replaces an opportunity's members. The request must
// carry the LastModifiedDate last read (ConflictException when the
// opportunity moved since, or while a review locks it) and every member:
// one left out becomes null.
func (c *Client) UpdateOpportunity(ctx context.Context, in UpdateOpportunityRequest) (*UpdateOpportunityResponse, error) {
	var out UpdateOpportunityResponse
	if err := c.call(ctx, "UpdateOpportunity", true, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AssociateOpportunity links a solution, an AWS product or a Marketplace
// offer to an opportunity.
func (c *Client) AssociateOpportunity(ctx context.Context, in AssociateOpportunityRequest) error {
	return c.call(ctx, "AssociateOpportunity", true, in, nil)
}

// StartEngagementFromOpportunityTask starts the asynchronous task that
// submits the opportunity to AWS (and creates its engagement). The answer's
// TaskStatus says whether it started (IN_PROGRESS), is done (COMPLETE) or
// failed (FAILED, with ReasonCode and Message); the opportunity's
// LifeCycle.ReviewStatus then shows the outcome.
func (c *Client) StartEngagementFromOpportunityTask(ctx context.Context, in StartEngagementFromOpportunityTaskRequest) (*StartEngagementFromOpportunityTaskResponse, error) {
	var out StartEngagementFromOpportunityTaskResponse
	if err := c.call(ctx, "StartEngagementFromOpportunityTask", true, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SubmitOpportunity submits an opportunity for AWS review directly. Unlike
// StartEngagementFromOpportunityTask it has no ClientToken.
func (c *Client) SubmitOpportunity(ctx context.Context, in SubmitOpportunityRequest) error {
	return c.call(ctx, "SubmitOpportunity", true, in, nil)
}

// ListEngagementInvitations reads one page of engagement invitations: the
// AWS referrals, with ParticipantType RECEIVER.
func (c *Client) ListEngagementInvitations(ctx context.Context, in ListEngagementInvitationsRequest) (*ListEngagementInvitationsResponse, error) {
	var out ListEngagementInvitationsResponse
	if err := c.call(ctx, "ListEngagementInvitations", false, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AcceptEngagementInvitation accepts an AWS referral.
func (c *Client) AcceptEngagementInvitation(ctx context.Context, in AcceptEngagementInvitationRequest) error {
	return c.call(ctx, "AcceptEngagementInvitation", true, in, nil)
}

// RejectEngagementInvitation declines an AWS referral.
func (c *Client) RejectEngagementInvitation(ctx context.Context, in RejectEngagementInvitationRequest) error {
	return c.call(ctx, "RejectEngagementInvitation", true, in, nil)
}

// TestConnection makes the cheapest call there is, a one-item listing, to
// show that the credentials work for catalog. It returns the call's error
// as is: an *APIError whose Code says what is wrong (for example
// UnrecognizedClientException for unknown keys, AccessDeniedException for
// a role without Partner Central permissions).
func (c *Client) TestConnection(ctx context.Context, catalog string) error {
	_, err := c.ListOpportunities(ctx, ListOpportunitiesRequest{Catalog: catalog, MaxResults: 1})
	return err
}
