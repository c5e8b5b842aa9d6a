package partnercentral

import "strings"

// The value sets below are the model's enum shapes (or, where a member is a
// plain string whose documentation lists its valid values, that list). Each
// names its shape. A value outside its set is INVALID_ENUM_VALUE for ACE.

// Catalogs (CatalogIdentifier): AWS for real opportunities, Sandbox for
// testing. The two never share an opportunity.
const (
	CatalogAWS     = "AWS"
	CatalogSandbox = "Sandbox"
)

// Catalogs lists the catalogs a request may name.
var Catalogs = []string{CatalogAWS, CatalogSandbox}

// LifeCycle.ReviewStatus (ReviewStatus). The service sets it; it is
// read-only for the partner.
const (
	ReviewPendingSubmission = "Pending Submission"
	ReviewSubmitted         = "Submitted"
	ReviewInReview          = "In review"
	ReviewApproved          = "Approved"
	ReviewRejected          = "Rejected"
	ReviewActionRequired    = "Action Required"
)

// ReviewStatuses lists every ReviewStatus.
var ReviewStatuses = []string{
	ReviewPendingSubmission, ReviewSubmitted, ReviewInReview,
	ReviewApproved, ReviewRejected, ReviewActionRequired,
}

// LifeCycle.Stage (Stage). Launched is the won state.
const (
	StageProspect            = "Prospect"
	StageQualified           = "Qualified"
	StageTechnicalValidation = "Technical Validation"
	StageBusinessValidation  = "Business Validation"
	StageCommitted           = "Committed"
	StageLaunched            = "Launched"
	StageClosedLost          = "Closed Lost"
)

// Stages lists every Stage, in the order of the sales cycle.
var Stages = []string{
	StageProspect, StageQualified, StageTechnicalValidation,
	StageBusinessValidation, StageCommitted, StageLaunched, StageClosedLost,
}

// Origin (OpportunityOrigin).
const (
	OriginAWSReferral     = "AWS Referral"
	OriginPartnerReferral = "Partner Referral"
)

// Origins lists every OpportunityOrigin.
var Origins = []string{OriginAWSReferral, OriginPartnerReferral}

// OpportunityType (OpportunityType).
const (
	OpportunityNetNewBusiness = "Net New Business"
	OpportunityFlatRenewal    = "Flat Renewal"
	OpportunityExpansion      = "Expansion"
)

// OpportunityTypes lists every OpportunityType.
var OpportunityTypes = []string{OpportunityNetNewBusiness, OpportunityFlatRenewal, OpportunityExpansion}

// NationalSecurity (NationalSecurity).
const (
	Yes = "Yes"
	No  = "No"
)

// YesNo is the value set of NationalSecurity and AwsFundingUsed.
var YesNo = []string{Yes, No}

// Customer.Account.Industry (Industry).
var Industries = []string{
	"Aerospace", "Agriculture", "Automotive", "Computers and Electronics",
	"Consumer Goods", "Education", "Energy - Oil and Gas",
	"Energy - Power and Utilities", "Financial Services", "Gaming",
	"Government", "Healthcare", "Hospitality", "Life Sciences",
	"Manufacturing", "Marketing and Advertising", "Media and Entertainment",
	"Mining", "Non-Profit Organization", "Professional Services",
	"Real Estate and Construction", "Retail", "Software and Internet",
	"Telecommunications", "Transportation and Logistics", "Travel",
	"Wholesale and Distribution", IndustryOther,
}

// Industry values named in code.
const (
	IndustryGovernment = "Government"
	IndustryOther      = "Other"
)

// CountryCodes (CountryCode) are ISO 3166-1 alpha-2 codes, as the model
// lists them.
var CountryCodes = strings.Fields(`US AF AX AL DZ AS AD AO AI AQ AG AR AM AW
AU AT AZ BS BH BD BB BY BE BZ BJ BM BT BO BQ BA BW BV BR IO BN BG BF BI KH CM
CA CV KY CF TD CL CN CX CC CO KM CG CK CR CI HR CU CW CY CZ CD DK DJ DM DO EC
EG SV GQ ER EE ET FK FO FJ FI FR GF PF TF GA GM GE DE GH GI GR GL GD GP GU GT
GG GN GW GY HT HM VA HN HK HU IS IN ID IR IQ IE IM IL IT JM JP JE JO KZ KE KI
KR KW KG LA LV LB LS LR LY LI LT LU MO MK MG MW MY MV ML MT MH MQ MR MU YT MX
FM MD MC MN ME MS MA MZ MM NA NR NP NL AN NC NZ NI NE NG NU NF MP NO OM PK PW
PS PA PG PY PE PH PN PL PT PR QA RE RO RU RW BL SH KN LC MF PM VC WS SM ST SA
SN RS SC SL SG SX SK SI SB SO ZA GS SS ES LK SD SR SJ SZ SE CH SY TW TJ TZ TH
TL TG TK TO TT TN TR TM TC TV UG UA AE GB UM UY UZ VU VE VN VG VI WF EH YE ZM
ZW`)

// CountryUS is the country whose addresses need a StateOrRegion.
const CountryUS = "US"

// USStatesOrRegions are the valid Address.StateOrRegion values the model's
// documentation lists (for US addresses).
var USStatesOrRegions = []string{
	"Alabama", "Alaska", "American Samoa", "Arizona", "Arkansas", "California",
	"Colorado", "Connecticut", "Delaware", "Dist. of Columbia",
	"Federated States of Micronesia", "Florida", "Georgia", "Guam", "Hawaii",
	"Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana",
	"Maine", "Marshall Islands", "Maryland", "Massachusetts", "Michigan",
	"Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
	"New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
	"North Dakota", "Northern Mariana Islands", "Ohio", "Oklahoma", "Oregon",
	"Palau", "Pennsylvania", "Puerto Rico", "Rhode Island", "South Carolina",
	"South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
	"Virgin Islands", "Washington", "West Virginia", "Wisconsin", "Wyoming",
	"APO/AE", "AFO/FPO", "FPO, AP",
}

// Currencies accepted for ExpectedCustomerSpend and MonetaryValue. The
// CurrencyCode shape lists every ISO 4217 code, but the members' documentation
// says "Accepted values are USD (US Dollars) and EUR (Euros)".
const (
	CurrencyUSD = "USD"
	CurrencyEUR = "EUR"
)

// AcceptedCurrencies lists the currencies those members accept.
var AcceptedCurrencies = []string{CurrencyUSD, CurrencyEUR}

// FrequencyMonthly is the only PaymentFrequency.
const FrequencyMonthly = "Monthly"

// TargetCompanyAWS is the only value ExpectedCustomerSpend.TargetCompany
// keeps: the documentation says any other value is replaced by it.
const TargetCompanyAWS = "AWS"

// Project.DeliveryModels (DeliveryModel).
const DeliveryProfessionalServices = "Professional Services"

// DeliveryModels lists every DeliveryModel.
var DeliveryModels = []string{
	"SaaS or PaaS", "BYOL or AMI", "Managed Services",
	DeliveryProfessionalServices, "Resell", "Other",
}

// Project.SalesActivities (SalesActivity).
const (
	SalesInitializedDiscussions = "Initialized discussions with customer"
	SalesCustomerInterested     = "Customer has shown interest in solution"
	SalesConductedPOC           = "Conducted POC / Demo"
	SalesInEvaluation           = "In evaluation / planning stage"
	SalesAgreedOnSolution       = "Agreed on solution to Business Problem"
	SalesCompletedActionPlan    = "Completed Action Plan"
	SalesFinalizedDeployment    = "Finalized Deployment Need"
	SalesSOWSigned              = "SOW Signed"
)

// SalesActivities lists every SalesActivity.
var SalesActivities = []string{
	SalesInitializedDiscussions, SalesCustomerInterested, SalesConductedPOC,
	SalesInEvaluation, SalesAgreedOnSolution, SalesCompletedActionPlan,
	SalesFinalizedDeployment, SalesSOWSigned,
}

// PrimaryNeedsFromAws (PrimaryNeedFromAws).
const (
	NeedArchitecturalValidation = "Co-Sell - Architectural Validation"
	NeedBusinessPresentation    = "Co-Sell - Business Presentation"
	NeedCompetitiveInformation  = "Co-Sell - Competitive Information"
	NeedPricingAssistance       = "Co-Sell - Pricing Assistance"
	NeedTechnicalConsultation   = "Co-Sell - Technical Consultation"
	NeedTCOEvaluation           = "Co-Sell - Total Cost of Ownership Evaluation"
	NeedDealSupport             = "Co-Sell - Deal Support"
	NeedPublicTender            = "Co-Sell - Support for Public Tender / RFx"
)

// PrimaryNeeds lists every PrimaryNeedFromAws.
var PrimaryNeeds = []string{
	NeedArchitecturalValidation, NeedBusinessPresentation,
	NeedCompetitiveInformation, NeedPricingAssistance,
	NeedTechnicalConsultation, NeedTCOEvaluation, NeedDealSupport,
	NeedPublicTender,
}

// Project.CompetitorName (CompetitorName).
const (
	CompetitorNone  = "No Competition"
	CompetitorOther = "*Other"
)

// CompetitorNames lists every CompetitorName.
var CompetitorNames = []string{
	"Oracle Cloud", "On-Prem", "Co-location", "Akamai", "AliCloud",
	"Google Cloud Platform", "IBM Softlayer", "Microsoft Azure",
	"Other- Cost Optimization", CompetitorNone, CompetitorOther,
}

// LifeCycle.ClosedLostReason (ClosedLostReason).
var ClosedLostReasons = []string{
	"Customer Deficiency", "Delay / Cancellation of Project",
	"Legal / Tax / Regulatory", "Lost to Competitor - Google",
	"Lost to Competitor - Microsoft", "Lost to Competitor - SoftLayer",
	"Lost to Competitor - VMWare", "Lost to Competitor - Other",
	"No Opportunity", "On Premises Deployment", "Partner Gap", "Price",
	"Security / Compliance", "Technical Limitations", "Customer Experience",
	"Other", "People/Relationship/Governance", "Product/Technology",
	"Financial/Commercial",
}

// Project.CustomerUseCase is a plain string whose documentation lists these
// valid values.
var CustomerUseCases = []string{
	"AI Machine Learning and Analytics", "Archiving",
	"Big Data: Data Warehouse/Data Integration/ETL/Data Lake/BI",
	"Blockchain", "Business Applications: Mainframe Modernization",
	"Business Applications & Contact Center",
	"Business Applications & SAP Production",
	"Centralized Operations Management", "Cloud Management Tools",
	"Cloud Management Tools & DevOps with Continuous Integration & Continuous Delivery (CICD)",
	"Configuration, Compliance & Auditing", "Connected Services",
	"Containers & Serverless", "Content Delivery & Edge Services",
	"Database", "Edge Computing/End User Computing", "Energy",
	"Enterprise Governance & Controls", "Enterprise Resource Planning",
	"Financial Services", "Healthcare and Life Sciences",
	"High Performance Computing", "Hybrid Application Platform",
	"Industrial Software", "IOT",
	"Manufacturing, Supply Chain and Operations",
	"Media & High performance computing (HPC)",
	"Migration/Database Migration", "Monitoring, logging and performance",
	"Monitoring & Observability", "Networking", "Outpost", "SAP",
	"Security & Compliance", "Storage & Backup", "Training", "VMC", "VMWare",
	"Web development & DevOps",
}

// Project.ApnPrograms is a list of plain strings whose documentation lists
// these valid values.
var ApnPrograms = []string{
	"APN Immersion Days", "APN Solution Space", "ATO (Authority to Operate)",
	"AWS Marketplace Campaign", "IS Immersion Day SFID Program",
	"ISV Workload Migration", "Migration Acceleration Program", "P3",
	"Partner Launch Initiative", "Partner Opportunity Acceleration Funded",
	"The Next Smart", "VMware Cloud on AWS", "Well-Architected", "Windows",
	"Workspaces/AppStream Accelerator Program", "WWPS NDPP",
}

// Marketing.Source (MarketingSource).
const (
	MarketingActivity = "Marketing Activity"
	MarketingNone     = "None"
)

// MarketingSources lists every MarketingSource.
var MarketingSources = []string{MarketingActivity, MarketingNone}

// Marketing.Channels (Channel).
var Channels = []string{
	"AWS Marketing Central", "Content Syndication", "Display", "Email",
	"Live Event", "Out Of Home (OOH)", "Print", "Search", "Social",
	"Telemarketing", "TV", "Video", "Virtual Event",
}

// SoftwareRevenue.DeliveryModel (RevenueModel).
var RevenueModels = []string{"Contract", "Pay-as-you-go", "Subscription"}

// Project.ExpectedContractDuration.Term (ExpectedContractDurationTerm).
var ContractDurationTerms = []string{"Months"}

// Project.AwsPartition (AwsPartition).
var AwsPartitions = []string{"aws-eusc"}

// InvolvementType (SalesInvolvementType) of SubmitOpportunity and
// AwsSubmission.
const (
	InvolvementForVisibilityOnly = "For Visibility Only"
	InvolvementCoSell            = "Co-Sell"
)

// InvolvementTypes lists every SalesInvolvementType.
var InvolvementTypes = []string{InvolvementForVisibilityOnly, InvolvementCoSell}

// Visibility (Visibility). Full is the default.
const (
	VisibilityFull    = "Full"
	VisibilityLimited = "Limited"
)

// Visibilities lists every Visibility.
var Visibilities = []string{VisibilityFull, VisibilityLimited}

// RelatedEntityType (RelatedEntityType) of AssociateOpportunity.
const (
	RelatedSolutions               = "Solutions"
	RelatedAwsProducts             = "AwsProducts"
	RelatedAwsMarketplaceOffers    = "AwsMarketplaceOffers"
	RelatedAwsMarketplaceOfferSets = "AwsMarketplaceOfferSets"
)

// RelatedEntityTypes lists every RelatedEntityType.
var RelatedEntityTypes = []string{
	RelatedSolutions, RelatedAwsProducts, RelatedAwsMarketplaceOffers,
	RelatedAwsMarketplaceOfferSets,
}

// SolutionOther stands for a solution that is not registered in Partner
// Central; RelatedEntityIdentifiers.Solutions documents it, and that it
// cannot be used from the Committed stage on.
const SolutionOther = "Other"

// TaskStatus (TaskStatus) of the asynchronous engagement tasks.
const (
	TaskInProgress = "IN_PROGRESS"
	TaskComplete   = "COMPLETE"
	TaskFailed     = "FAILED"
)

// TaskStatuses lists every TaskStatus.
var TaskStatuses = []string{TaskInProgress, TaskComplete, TaskFailed}

// ReasonCode values (ReasonCode) a failed task carries, those named in code.
const (
	ReasonOpportunityValidationFailed = "OpportunityValidationFailed"
	ReasonOpportunitySubmissionFailed = "OpportunitySubmissionFailed"
)

// Engagement invitation status (InvitationStatus).
const (
	InvitationPending  = "PENDING"
	InvitationAccepted = "ACCEPTED"
	InvitationRejected = "REJECTED"
	InvitationExpired  = "EXPIRED"
)

// InvitationStatuses lists every InvitationStatus.
var InvitationStatuses = []string{InvitationAccepted, InvitationPending, InvitationRejected, InvitationExpired}

// ParticipantType (ParticipantType) of ListEngagementInvitations.
const (
	ParticipantSender   = "SENDER"
	ParticipantReceiver = "RECEIVER"
)

// ParticipantTypes lists every ParticipantType.
var ParticipantTypes = []string{ParticipantSender, ParticipantReceiver}

// EngagementInvitationPayloadType.
const (
	PayloadOpportunityInvitation = "OpportunityInvitation"
	PayloadLeadInvitation        = "LeadInvitation"
)

// PayloadTypes lists every EngagementInvitationPayloadType.
var PayloadTypes = []string{PayloadOpportunityInvitation, PayloadLeadInvitation}

// Sort orders (SortOrder) and the sort keys of ListOpportunities
// (OpportunitySortName) and ListEngagementInvitations
// (OpportunityEngagementInvitationSortName).
const (
	SortAscending  = "ASCENDING"
	SortDescending = "DESCENDING"

	SortByLastModifiedDate    = "LastModifiedDate"
	SortByIdentifier          = "Identifier"
	SortByCustomerCompanyName = "CustomerCompanyName"
	SortByCreatedDate         = "CreatedDate"
	SortByTargetCloseDate     = "TargetCloseDate"
	SortByInvitationDate      = "InvitationDate"
)

// SortOrders and OpportunitySortNames list those value sets.
var (
	SortOrders           = []string{SortAscending, SortDescending}
	OpportunitySortNames = []string{
		SortByLastModifiedDate, SortByIdentifier, SortByCustomerCompanyName,
		SortByCreatedDate, SortByTargetCloseDate,
	}
)

// ValidationException.Reason (ValidationExceptionReason).
const (
	ReasonRequestValidationFailed  = "REQUEST_VALIDATION_FAILED"
	ReasonBusinessValidationFailed = "BUSINESS_VALIDATION_FAILED"
)

// ValidationException.ErrorList[].Code (ValidationExceptionErrorCode).
const (
	CodeRequiredFieldMissing = "REQUIRED_FIELD_MISSING"
	CodeInvalidEnumValue     = "INVALID_ENUM_VALUE"
	CodeInvalidStringFormat  = "INVALID_STRING_FORMAT"
	CodeInvalidValue         = "INVALID_VALUE"
	CodeNotEnoughValues      = "NOT_ENOUGH_VALUES"
	CodeTooManyValues        = "TOO_MANY_VALUES"
	CodeInvalidResourceState = "INVALID_RESOURCE_STATE"
	CodeDuplicateKeyValue    = "DUPLICATE_KEY_VALUE"
	CodeValueOutOfRange      = "VALUE_OUT_OF_RANGE"
	CodeActionNotPermitted   = "ACTION_NOT_PERMITTED"
)

// oneOf reports whether v is one of set.
func oneOf(v string, set []string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}
