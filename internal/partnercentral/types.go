package partnercentral

import "time"

// The request and response structs carry the model's member names as their
// JSON names. Optional members are omitted when empty, which on the wire is
// the same as null. Times are the model's DateTime (ISO 8601, UTC); dates are
// the model's Date ("YYYY-MM-DD") and stay strings.

// Opportunity holds the members an opportunity's create, update and read
// share: everything the partner writes. UpdateOpportunity replaces all of
// them, so an update must carry every one it wants to keep.
type Opportunity struct {
	PrimaryNeedsFromAws          []string         `json:"PrimaryNeedsFromAws,omitempty"`
	NationalSecurity             string           `json:"NationalSecurity,omitempty"`
	PartnerOpportunityIdentifier string           `json:"PartnerOpportunityIdentifier,omitempty"`
	Customer                     *Customer        `json:"Customer,omitempty"`
	Project                      *Project         `json:"Project,omitempty"`
	OpportunityType              string           `json:"OpportunityType,omitempty"`
	Marketing                    *Marketing       `json:"Marketing,omitempty"`
	SoftwareRevenue              *SoftwareRevenue `json:"SoftwareRevenue,omitempty"`
	LifeCycle                    *LifeCycle       `json:"LifeCycle,omitempty"`
}

// Customer is the end customer: its account and its contacts.
type Customer struct {
	Account  *Account  `json:"Account,omitempty"`
	Contacts []Contact `json:"Contacts,omitempty"`
}

// Account is the customer's company.
type Account struct {
	Industry      string   `json:"Industry,omitempty"`
	OtherIndustry string   `json:"OtherIndustry,omitempty"`
	CompanyName   string   `json:"CompanyName,omitempty"`
	WebsiteUrl    string   `json:"WebsiteUrl,omitempty"`
	AwsAccountId  string   `json:"AwsAccountId,omitempty"`
	Address       *Address `json:"Address,omitempty"`
	Duns          string   `json:"Duns,omitempty"`
}

// Address is the customer's address.
type Address struct {
	City          string `json:"City,omitempty"`
	PostalCode    string `json:"PostalCode,omitempty"`
	StateOrRegion string `json:"StateOrRegion,omitempty"`
	CountryCode   string `json:"CountryCode,omitempty"`
	StreetAddress string `json:"StreetAddress,omitempty"`
}

// Contact is a person: a customer contact, or a member of the partner's
// opportunity team.
type Contact struct {
	Email         string `json:"Email,omitempty"`
	FirstName     string `json:"FirstName,omitempty"`
	LastName      string `json:"LastName,omitempty"`
	BusinessTitle string `json:"BusinessTitle,omitempty"`
	Phone         string `json:"Phone,omitempty"`
}

// Project is what the opportunity is about.
type Project struct {
	DeliveryModels               []string                  `json:"DeliveryModels,omitempty"`
	ExpectedCustomerSpend        []ExpectedCustomerSpend   `json:"ExpectedCustomerSpend,omitempty"`
	ExpectedContractDuration     *ExpectedContractDuration `json:"ExpectedContractDuration,omitempty"`
	Title                        string                    `json:"Title,omitempty"`
	ApnPrograms                  []string                  `json:"ApnPrograms,omitempty"`
	CustomerBusinessProblem      string                    `json:"CustomerBusinessProblem,omitempty"`
	CustomerUseCase              string                    `json:"CustomerUseCase,omitempty"`
	RelatedOpportunityIdentifier string                    `json:"RelatedOpportunityIdentifier,omitempty"`
	SalesActivities              []string                  `json:"SalesActivities,omitempty"`
	CompetitorName               string                    `json:"CompetitorName,omitempty"`
	OtherCompetitorNames         string                    `json:"OtherCompetitorNames,omitempty"`
	OtherSolutionDescription     string                    `json:"OtherSolutionDescription,omitempty"`
	AdditionalComments           string                    `json:"AdditionalComments,omitempty"`
	AwsPartition                 string                    `json:"AwsPartition,omitempty"`
}

// ExpectedCustomerSpend is one estimate of the customer's AWS spend. Amount
// is a decimal string such as "12500" or "12500.50".
type ExpectedCustomerSpend struct {
	Amount        string `json:"Amount,omitempty"`
	CurrencyCode  string `json:"CurrencyCode,omitempty"`
	Frequency     string `json:"Frequency,omitempty"`
	TargetCompany string `json:"TargetCompany,omitempty"`
	EstimationUrl string `json:"EstimationUrl,omitempty"`
}

// ExpectedContractDuration is the length of the partner's contract; Value is
// a whole number of Term units, "1" to "144".
type ExpectedContractDuration struct {
	Term  string `json:"Term,omitempty"`
	Value string `json:"Value,omitempty"`
}

// LifeCycle is where the opportunity stands. ReviewStatus, ReviewComments,
// ReviewStatusReason and NextStepsHistory are written by AWS only.
type LifeCycle struct {
	Stage              string             `json:"Stage,omitempty"`
	ClosedLostReason   string             `json:"ClosedLostReason,omitempty"`
	NextSteps          string             `json:"NextSteps,omitempty"`
	TargetCloseDate    string             `json:"TargetCloseDate,omitempty"`
	ReviewStatus       string             `json:"ReviewStatus,omitempty"`
	ReviewComments     string             `json:"ReviewComments,omitempty"`
	ReviewStatusReason string             `json:"ReviewStatusReason,omitempty"`
	NextStepsHistory   []NextStepsHistory `json:"NextStepsHistory,omitempty"`
}

// NextStepsHistory is one past value of LifeCycle.NextSteps.
type NextStepsHistory struct {
	Value string    `json:"Value"`
	Time  time.Time `json:"Time"`
}

// Marketing says whether the opportunity came from an AWS marketing
// activity.
type Marketing struct {
	CampaignName   string   `json:"CampaignName,omitempty"`
	Source         string   `json:"Source,omitempty"`
	UseCases       []string `json:"UseCases,omitempty"`
	Channels       []string `json:"Channels,omitempty"`
	AwsFundingUsed string   `json:"AwsFundingUsed,omitempty"`
}

// SoftwareRevenue is the customer's procurement terms, for partners in the
// programs that need them.
type SoftwareRevenue struct {
	DeliveryModel  string         `json:"DeliveryModel,omitempty"`
	Value          *MonetaryValue `json:"Value,omitempty"`
	EffectiveDate  string         `json:"EffectiveDate,omitempty"`
	ExpirationDate string         `json:"ExpirationDate,omitempty"`
}

// MonetaryValue is an amount of money.
type MonetaryValue struct {
	Amount       string `json:"Amount"`
	CurrencyCode string `json:"CurrencyCode"`
}

// RelatedEntityIdentifiers are the entities associated with an opportunity
// through AssociateOpportunity.
type RelatedEntityIdentifiers struct {
	AwsMarketplaceOffers    []string `json:"AwsMarketplaceOffers,omitempty"`
	AwsMarketplaceOfferSets []string `json:"AwsMarketplaceOfferSets,omitempty"`
	Solutions               []string `json:"Solutions,omitempty"`
	AwsProducts             []string `json:"AwsProducts,omitempty"`
}

// CreateOpportunityRequest creates an opportunity in Pending Submission.
// Catalog and ClientToken are required; a second call with the same
// ClientToken and the same body answers with the first call's opportunity.
type CreateOpportunityRequest struct {
	Catalog     string `json:"Catalog"`
	ClientToken string `json:"ClientToken"`
	Opportunity
	Origin          string    `json:"Origin,omitempty"`
	OpportunityTeam []Contact `json:"OpportunityTeam,omitempty"`
}

// CreateOpportunityResponse names the new opportunity.
type CreateOpportunityResponse struct {
	Id                           string    `json:"Id"`
	PartnerOpportunityIdentifier string    `json:"PartnerOpportunityIdentifier,omitempty"`
	LastModifiedDate             time.Time `json:"LastModifiedDate"`
}

// GetOpportunityRequest reads one opportunity.
type GetOpportunityRequest struct {
	Catalog    string `json:"Catalog"`
	Identifier string `json:"Identifier"`
}

// GetOpportunityResponse is the whole opportunity.
type GetOpportunityResponse struct {
	Catalog string `json:"Catalog"`
	Id      string `json:"Id"`
	Arn     string `json:"Arn,omitempty"`
	Opportunity
	LastModifiedDate         time.Time                `json:"LastModifiedDate"`
	CreatedDate              time.Time                `json:"CreatedDate"`
	RelatedEntityIdentifiers RelatedEntityIdentifiers `json:"RelatedEntityIdentifiers"`
	OpportunityTeam          []Contact                `json:"OpportunityTeam,omitempty"`
}

// UpdateOpportunityRequest replaces an opportunity's members. LastModifiedDate
// must be the opportunity's current one (ConflictException otherwise), and
// every member left out becomes null.
type UpdateOpportunityRequest struct {
	Catalog          string    `json:"Catalog"`
	Identifier       string    `json:"Identifier"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
	Opportunity
}

// UpdateOpportunityResponse carries the opportunity's new LastModifiedDate.
type UpdateOpportunityResponse struct {
	Id               string    `json:"Id"`
	LastModifiedDate time.Time `json:"LastModifiedDate"`
}

// ListOpportunitiesRequest lists opportunities, a page at a time. For
// polling changes, set LastModifiedDate.AfterLastModifiedDate to the latest
// LastModifiedDate read from AWS: the service returns the opportunities
// created or updated on or after it.
type ListOpportunitiesRequest struct {
	Catalog               string                  `json:"Catalog"`
	MaxResults            int                     `json:"MaxResults,omitempty"` // 1 to 100; 20 by default
	NextToken             string                  `json:"NextToken,omitempty"`
	Sort                  *OpportunitySort        `json:"Sort,omitempty"`
	LastModifiedDate      *LastModifiedDateFilter `json:"LastModifiedDate,omitempty"`
	Identifier            []string                `json:"Identifier,omitempty"`            // at most 20
	LifeCycleStage        []string                `json:"LifeCycleStage,omitempty"`        // at most 10
	LifeCycleReviewStatus []string                `json:"LifeCycleReviewStatus,omitempty"` // at most 10
	CustomerCompanyName   []string                `json:"CustomerCompanyName,omitempty"`   // at most 10
}

// OpportunitySort orders a listing; by default LastModifiedDate, descending.
type OpportunitySort struct {
	SortOrder string `json:"SortOrder"`
	SortBy    string `json:"SortBy"`
}

// LastModifiedDateFilter bounds a listing by LastModifiedDate.
type LastModifiedDateFilter struct {
	AfterLastModifiedDate  *time.Time `json:"AfterLastModifiedDate,omitempty"`
	BeforeLastModifiedDate *time.Time `json:"BeforeLastModifiedDate,omitempty"`
}

// ListOpportunitiesResponse is one page; NextToken is empty on the last.
type ListOpportunitiesResponse struct {
	OpportunitySummaries []OpportunitySummary `json:"OpportunitySummaries"`
	NextToken            string               `json:"NextToken,omitempty"`
}

// OpportunitySummary is the part of an opportunity a listing shows,
// including its review status and stage.
type OpportunitySummary struct {
	Catalog                      string            `json:"Catalog"`
	Id                           string            `json:"Id,omitempty"`
	Arn                          string            `json:"Arn,omitempty"`
	PartnerOpportunityIdentifier string            `json:"PartnerOpportunityIdentifier,omitempty"`
	OpportunityType              string            `json:"OpportunityType,omitempty"`
	LastModifiedDate             *time.Time        `json:"LastModifiedDate,omitempty"`
	CreatedDate                  *time.Time        `json:"CreatedDate,omitempty"`
	LifeCycle                    *LifeCycleSummary `json:"LifeCycle,omitempty"`
	Customer                     *CustomerSummary  `json:"Customer,omitempty"`
	Project                      *ProjectSummary   `json:"Project,omitempty"`
}

// LifeCycleSummary is LifeCycle without the history.
type LifeCycleSummary struct {
	Stage              string `json:"Stage,omitempty"`
	ClosedLostReason   string `json:"ClosedLostReason,omitempty"`
	NextSteps          string `json:"NextSteps,omitempty"`
	TargetCloseDate    string `json:"TargetCloseDate,omitempty"`
	ReviewStatus       string `json:"ReviewStatus,omitempty"`
	ReviewComments     string `json:"ReviewComments,omitempty"`
	ReviewStatusReason string `json:"ReviewStatusReason,omitempty"`
}

// CustomerSummary is the customer's account as a listing shows it.
type CustomerSummary struct {
	Account *AccountSummary `json:"Account,omitempty"`
}

// AccountSummary is Account without the identifiers.
type AccountSummary struct {
	Industry      string          `json:"Industry,omitempty"`
	OtherIndustry string          `json:"OtherIndustry,omitempty"`
	CompanyName   string          `json:"CompanyName,omitempty"`
	WebsiteUrl    string          `json:"WebsiteUrl,omitempty"`
	Address       *AddressSummary `json:"Address,omitempty"`
}

// AddressSummary is Address without the street.
type AddressSummary struct {
	City          string `json:"City,omitempty"`
	PostalCode    string `json:"PostalCode,omitempty"`
	StateOrRegion string `json:"StateOrRegion,omitempty"`
	CountryCode   string `json:"CountryCode,omitempty"`
}

// ProjectSummary is the spend part of Project.
type ProjectSummary struct {
	DeliveryModels           []string                  `json:"DeliveryModels,omitempty"`
	ExpectedCustomerSpend    []ExpectedCustomerSpend   `json:"ExpectedCustomerSpend,omitempty"`
	ExpectedContractDuration *ExpectedContractDuration `json:"ExpectedContractDuration,omitempty"`
}

// AssociateOpportunityRequest links a solution, an AWS product or a
// Marketplace offer to an opportunity. ACE needs at least one solution
// before the opportunity can be submitted.
type AssociateOpportunityRequest struct {
	Catalog                 string `json:"Catalog"`
	OpportunityIdentifier   string `json:"OpportunityIdentifier"`
	RelatedEntityType       string `json:"RelatedEntityType"`
	RelatedEntityIdentifier string `json:"RelatedEntityIdentifier"`
}

// SubmitOpportunityRequest sends an opportunity to AWS for review. It has no
// ClientToken: a repeated call finds the opportunity already submitted.
type SubmitOpportunityRequest struct {
	Catalog         string `json:"Catalog"`
	Identifier      string `json:"Identifier"`
	InvolvementType string `json:"InvolvementType"`
	Visibility      string `json:"Visibility,omitempty"`
}

// AwsSubmission is how AWS is asked to take part.
type AwsSubmission struct {
	InvolvementType string `json:"InvolvementType"`
	Visibility      string `json:"Visibility,omitempty"`
}

// StartEngagementFromOpportunityTaskRequest starts the asynchronous task
// that creates the engagement and submits the opportunity, idempotent by
// ClientToken.
type StartEngagementFromOpportunityTaskRequest struct {
	Catalog       string        `json:"Catalog"`
	ClientToken   string        `json:"ClientToken"`
	Identifier    string        `json:"Identifier"`
	AwsSubmission AwsSubmission `json:"AwsSubmission"`
}

// StartEngagementFromOpportunityTaskResponse reports the task; TaskStatus is
// IN_PROGRESS, COMPLETE or FAILED (then with ReasonCode and Message).
type StartEngagementFromOpportunityTaskResponse struct {
	TaskId                 string     `json:"TaskId,omitempty"`
	TaskArn                string     `json:"TaskArn,omitempty"`
	StartTime              *time.Time `json:"StartTime,omitempty"`
	TaskStatus             string     `json:"TaskStatus,omitempty"`
	Message                string     `json:"Message,omitempty"`
	ReasonCode             string     `json:"ReasonCode,omitempty"`
	OpportunityId          string     `json:"OpportunityId,omitempty"`
	ResourceSnapshotJobId  string     `json:"ResourceSnapshotJobId,omitempty"`
	EngagementId           string     `json:"EngagementId,omitempty"`
	EngagementInvitationId string     `json:"EngagementInvitationId,omitempty"`
}

// ListEngagementInvitationsRequest lists invitations, the AWS referrals a
// partner receives when ParticipantType is RECEIVER.
type ListEngagementInvitationsRequest struct {
	Catalog              string                               `json:"Catalog"`
	MaxResults           int                                  `json:"MaxResults,omitempty"`
	NextToken            string                               `json:"NextToken,omitempty"`
	Sort                 *OpportunityEngagementInvitationSort `json:"Sort,omitempty"`
	PayloadType          []string                             `json:"PayloadType,omitempty"`
	ParticipantType      string                               `json:"ParticipantType"`
	Status               []string                             `json:"Status,omitempty"`
	EngagementIdentifier []string                             `json:"EngagementIdentifier,omitempty"`
	SenderAwsAccountId   []string                             `json:"SenderAwsAccountId,omitempty"`
}

// OpportunityEngagementInvitationSort orders invitations.
type OpportunityEngagementInvitationSort struct {
	SortOrder string `json:"SortOrder"`
	SortBy    string `json:"SortBy"`
}

// ListEngagementInvitationsResponse is one page of invitations.
type ListEngagementInvitationsResponse struct {
	EngagementInvitationSummaries []EngagementInvitationSummary `json:"EngagementInvitationSummaries"`
	NextToken                     string                        `json:"NextToken,omitempty"`
}

// EngagementInvitationSummary is one invitation.
type EngagementInvitationSummary struct {
	Arn                string     `json:"Arn,omitempty"`
	PayloadType        string     `json:"PayloadType,omitempty"`
	Id                 string     `json:"Id"`
	EngagementId       string     `json:"EngagementId,omitempty"`
	EngagementTitle    string     `json:"EngagementTitle,omitempty"`
	Status             string     `json:"Status,omitempty"`
	InvitationDate     *time.Time `json:"InvitationDate,omitempty"`
	ExpirationDate     *time.Time `json:"ExpirationDate,omitempty"`
	SenderAwsAccountId string     `json:"SenderAwsAccountId,omitempty"`
	SenderCompanyName  string     `json:"SenderCompanyName,omitempty"`
	Receiver           *Receiver  `json:"Receiver,omitempty"`
	Catalog            string     `json:"Catalog"`
	ParticipantType    string     `json:"ParticipantType,omitempty"`
}

// Receiver is the union naming who received an invitation.
type Receiver struct {
	Account *AccountReceiver `json:"Account,omitempty"`
}

// AccountReceiver is the partner account an invitation went to.
type AccountReceiver struct {
	Alias        string `json:"Alias,omitempty"`
	AwsAccountId string `json:"AwsAccountId"`
}

// AcceptEngagementInvitationRequest accepts an invitation.
type AcceptEngagementInvitationRequest struct {
	Catalog    string `json:"Catalog"`
	Identifier string `json:"Identifier"`
}

// RejectEngagementInvitationRequest declines an invitation; RejectionReason
// is one of the documented reasons, such as "Unable to support".
type RejectEngagementInvitationRequest struct {
	Catalog         string `json:"Catalog"`
	Identifier      string `json:"Identifier"`
	RejectionReason string `json:"RejectionReason,omitempty"`
}
