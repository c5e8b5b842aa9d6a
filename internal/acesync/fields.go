package acesync

import "regexp"

// FieldMapping is one row of the push: the ACE member, the CloudRoute value
// it is made from, and how. docs/ace-sync.md shows the same table.
type FieldMapping struct {
	ACE        string // the member's path in the model
	CloudRoute string // the record field, intake field or constant
	How        string
}

// Mapping is the push, field by field, in the order of the model.
var Mapping = []FieldMapping{
	{"Catalog", "connection catalog", "Sandbox by default, AWS when the partner says so"},
	{"ClientToken", "record id", "one opportunity per record, however often the create is retried"},
	{"Origin", "constant", "Partner Referral (the only origin the AWS catalog takes)"},
	{"PrimaryNeedsFromAws", "funding_source, engagement_type", "Co-Sell - Deal Support; + Architectural Validation for bedrock_poc; + Total Cost of Ownership Evaluation for migrate and map"},
	{"NationalSecurity", "constant", "No (startups; CloudRoute has no government vertical)"},
	{"PartnerOpportunityIdentifier", "record id", "AWS sends it back in its events"},
	{"Customer.Account.Industry", "vertical (record, else intake)", "fintech: Financial Services; healthtech: Healthcare; b2b_saas: Software and Internet; ecommerce: Retail; deep_tech: Computers and Electronics; gaming: Gaming; other: Other"},
	{"Customer.Account.OtherIndustry", "vertical other", "a fixed phrase, since Industry Other requires it"},
	{"Customer.Account.CompanyName", "company_name (record, else intake)", "as given"},
	{"Customer.Account.WebsiteUrl", "website (record, else intake)", "https:// added to a bare domain"},
	{"Customer.Account.AwsAccountId", "aws_account_id", "left out when new_account_placeholder is set"},
	{"Customer.Account.Address.CountryCode", "link: country code, else intake region", "us_east, us_west: US; uk: GB; india: IN; brazil: BR; eu, mena, apac: the partner gives it"},
	{"Customer.Account.Address.PostalCode", "link: postal code", "the partner gives it"},
	{"Customer.Account.Address.StateOrRegion", "link: state", "the partner gives it (US customers)"},
	{"Customer.Account.Address.City", "link: city", "optional"},
	{"Customer.Account.Address.StreetAddress", "link: street", "optional"},
	{"Customer.Contacts[].FirstName", "technical_contact.name, business_contact.name", "first word"},
	{"Customer.Contacts[].LastName", "technical_contact.name, business_contact.name", "the rest"},
	{"Customer.Contacts[].Email", "technical_contact.email, business_contact.email", "lower-cased: ACE's pattern admits lower case only"},
	{"Customer.Contacts[].BusinessTitle", "which contact", "Technical contact, Business contact"},
	{"Project.DeliveryModels", "link: delivery models", "Professional Services by default"},
	{"Project.ExpectedCustomerSpend[].Amount", "projected_monthly_spend (record, else intake)", "the lines' sum, whole USD"},
	{"Project.ExpectedCustomerSpend[].CurrencyCode", "constant", "USD (CloudRoute's amounts are USD)"},
	{"Project.ExpectedCustomerSpend[].Frequency", "constant", "Monthly"},
	{"Project.ExpectedCustomerSpend[].TargetCompany", "constant", "AWS"},
	{"Project.Title", "company_name, funding_source", `"<company> - <pool> credits"; "<company> - Migration Acceleration Program" for map`},
	{"Project.ApnPrograms", "funding_source map", "Migration Acceleration Program"},
	{"Project.CustomerBusinessProblem", "use_case (record, else intake)", "as given; ACE takes 20 to 2,000 characters, CloudRoute asks at least 100"},
	{"Project.CustomerUseCase", "funding_source, engagement_type, service_profile", "map or migrate: Migration/Database Migration; bedrock_poc or ai_heavy: AI Machine Learning and Analytics; data_heavy: Big Data…; edge_heavy: Content Delivery & Edge Services; compute_heavy: Containers & Serverless"},
	{"Project.SalesActivities", "the accepted assignment; engagement dates", "Initialized discussions with customer, Customer has shown interest in solution; + Completed Action Plan when both engagement dates are set"},
	{"Project.CompetitorName", "competing_cloud", "none: No Competition; gcp: Google Cloud Platform; azure: Microsoft Azure; on_prem: On-Prem; heroku, digitalocean, other: *Other"},
	{"Project.OtherCompetitorNames", "competing_cloud", "Heroku, DigitalOcean, Another cloud provider"},
	{"Project.OtherSolutionDescription", "partner_role", "when no solution id is linked; cut to 255 characters"},
	{"Project.AdditionalComments", "funding_source, requested_usd, funding_stage, last_round.lead_investor, estimated_annual_spend_usd", "one sentence, cut to 255 characters"},
	{"OpportunityType", "constant", "Net New Business"},
	{"Marketing.Source", "constant", "None (not from an AWS marketing activity)"},
	{"LifeCycle.Stage", "constant at create", "Qualified (the partner engaged the customer); ACE's afterwards"},
	{"LifeCycle.TargetCloseDate", "target_close_date, else go_live_date", "YYYY-MM-DD, not in the past"},
	{"LifeCycle.NextSteps", "engagement_start_date, go_live_date", "one sentence"},
	{"RelatedEntityIdentifiers.Solutions", "link: solution id", "associated before submission; Other when none"},
}

var listIndex = regexp.MustCompile(`\[\d+\]`)

// CloudRouteField names the CloudRoute value an ACE member is made from,
// so that a pre-flight error or an ACE rejection can point the partner at
// the field to fix: "Project.CustomerBusinessProblem" gives
// "use_case (record, else intake)". It returns "" for a member CloudRoute
// does not fill.
func CloudRouteField(acePath string) string {
	g := listIndex.ReplaceAllString(acePath, "[]")
	for _, m := range Mapping {
		if m.ACE == g {
			return m.CloudRoute
		}
	}
	return ""
}
