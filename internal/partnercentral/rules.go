package partnercentral

import "regexp"

// The pre-flight rules, one row per member path. A path names list
// elements with "[]" ("Customer.Contacts[].Email"). Each row cites where its
// constraint comes from:
//
//   - "model": a trait of the member in the Smithy model (smithy.api#required,
//     smithy.api#pattern, smithy.api#length, or an enum shape). The service
//     rejects a break of these with Reason REQUEST_VALIDATION_FAILED.
//   - "doc": a rule the member's documentation in the model states (a list of
//     valid values, "required in all cases except ...", "Accepted values are
//     USD and EUR").
//   - "ACE": a field ACE requires on every partner-referred opportunity
//     before it accepts it; the model marks these optional because the API
//     also carries AWS referrals. The service rejects these with Reason
//     BUSINESS_VALIDATION_FAILED.
//
// Lengths are in characters, as the model's patterns ^(?s).{min,max}$
// count them.

type need int

const (
	optional        need = iota
	requiredByModel      // smithy.api#required: whenever the member's parent is present
	requiredByACE        // always, on a partner referral
)

type rule struct {
	need               need
	min, max           int            // characters; max 0 means no bound
	pattern            *regexp.Regexp // besides the length
	format             string         // the pattern in words, for the message
	enum               []string
	enumWords          string // a long enum in words, for the message
	minItems, maxItems int    // for lists; maxItems 0 means no bound
	doc                bool   // the values or bounds come from documentation, not traits
	cite               string
}

var (
	reCatalog     = regexp.MustCompile(`^[a-zA-Z]+$`)
	reClientToken = regexp.MustCompile(`^.{1,255}$`)
	reOpportunity = regexp.MustCompile(`^O[0-9]{1,19}$`)
	reDate        = regexp.MustCompile(`^[1-9][0-9]{3}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$`)
	reAwsAccount  = regexp.MustCompile(`^([0-9]{12}|\w{1,12})$`)
	reDuns        = regexp.MustCompile(`^[0-9]{9}$`)
	reAmount      = regexp.MustCompile(`^(0|([1-9][0-9]{0,30}))(\.[0-9]{0,2})?$`)
	rePhone       = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)
	// The model's Email pattern opens with the look-ahead (?=.{0,80}$), which
	// Go's regexp does not have; the length is checked apart. Note that it
	// admits lower case only.
	reEmail = regexp.MustCompile("^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
	// CompanyWebsiteUrl, without its length look-ahead (?=.{4,255}$).
	reCompanyWebsite  = regexp.MustCompile(`^((http|https)://)??(www[.])??([a-zA-Z0-9]|-)+?([.][a-zA-Z0-9(-|/|=|?)??]+?)+?$`)
	reEstimationURL   = regexp.MustCompile(`^https://(calculator\.aws|pricing\.calculator\.aws\.eu)/#/estimate\?id=[a-f0-9]{32,64}$`)
	reContractMonths  = regexp.MustCompile(`^([1-9]|[1-9][0-9]|1[0-3][0-9]|14[0-4])$`)
	reSolution        = regexp.MustCompile(`^S-[0-9]{1,19}$`)
	reMarketplaceOffr = regexp.MustCompile(`^arn:aws:aws-marketplace:[a-z]{1,2}-[a-z]*-\d+:\d{12}:AWSMarketplace/Offer/.*$`)
	reMarketplaceSet  = regexp.MustCompile(`^arn:aws:aws-marketplace:[a-z]{1,2}-[a-z]*-\d+:\d{12}:AWSMarketplace/OfferSet/offerset-.*`)
	reInvitation      = regexp.MustCompile(`^(arn:.*|engi-[0-9a-z]{13})$`)
	reRejectionReason = regexp.MustCompile(`^[\x{0020}-\x{007E}\x{00A0}-\x{D7FF}\x{E000}-\x{FFFD}]{1,80}$`)
)

const (
	wordsDate   = "a date written YYYY-MM-DD"
	wordsAmount = `a decimal amount such as "12500" or "12500.50"`
)

var contactRules = func(prefix, path string) map[string]rule {
	return map[string]rule{
		prefix + ".Email": {max: 80, pattern: reEmail, format: "an email address in lower case",
			cite: "model: " + path + ".Email, Email pattern ^(?=.{0,80}$)[a-z0-9...]@...$"},
		prefix + ".FirstName":     {max: 80, cite: "model: " + path + ".FirstName ^(?s).{0,80}$"},
		prefix + ".LastName":      {max: 80, cite: "model: " + path + ".LastName ^(?s).{0,80}$"},
		prefix + ".BusinessTitle": {max: 80, cite: "model: " + path + ".BusinessTitle, JobTitle ^(?s).{0,80}$"},
		prefix + ".Phone": {pattern: rePhone, format: "a phone number in E.164 form such as +14155550100",
			cite: `model: ` + path + `.Phone, PhoneNumber ^\+[1-9]\d{1,14}$`},
	}
}

// rules is the pre-flight table. Every row is visited by the walker in
// validate.go; a test keeps the two in step.
var rules = merge(map[string]rule{
	"Catalog": {need: requiredByModel, pattern: reCatalog, format: "letters only", enum: Catalogs,
		cite: "model: Catalog @required, CatalogIdentifier ^[a-zA-Z]+$; doc: AWS or Sandbox"},
	"ClientToken": {need: requiredByModel, pattern: reClientToken, format: "1 to 255 characters on one line",
		cite: "model: CreateOpportunityRequest.ClientToken @required, ClientToken ^.{1,255}$"},
	"Identifier": {need: requiredByModel, pattern: reOpportunity, format: "an opportunity id such as O1234567",
		cite: "model: UpdateOpportunityRequest.Identifier @required, OpportunityIdentifier ^O[0-9]{1,19}$"},
	"LastModifiedDate": {need: requiredByModel,
		cite: "model: UpdateOpportunityRequest.LastModifiedDate @required"},
	"Origin": {need: requiredByACE, enum: Origins,
		cite: "model: OpportunityOrigin enum; ACE: mandatory; doc: Catalog AWS takes Partner Referral only"},
	"OpportunityTeam": {maxItems: 10, cite: "model: PartnerOpportunityTeamMembersList @length max 10"},
	"OpportunityType": {need: requiredByACE, enum: OpportunityTypes,
		cite: "model: OpportunityType enum; ACE: mandatory"},
	"PrimaryNeedsFromAws": {need: requiredByACE, minItems: 1, enum: PrimaryNeeds,
		cite: "model: PrimaryNeedFromAws enum; ACE: mandatory to co-sell with AWS"},
	"NationalSecurity": {enum: YesNo, cite: "model: NationalSecurity enum"},
	"PartnerOpportunityIdentifier": {max: 64,
		cite: "model: PartnerOpportunityIdentifier ^(?s).{0,64}$"},

	"Customer.Account.Industry": {need: requiredByACE, enum: Industries,
		cite: `model: Industry enum; doc: "This is a required field"`},
	"Customer.Account.OtherIndustry": {max: 255,
		cite: "model: Account.OtherIndustry ^(?s).{0,255}$"},
	"Customer.Account.CompanyName": {need: requiredByACE, max: 120,
		cite: "model: Account.CompanyName @required, ^(?s).{0,120}$; ACE: mandatory"},
	"Customer.Account.WebsiteUrl": {min: 4, max: 255,
		cite: "model: WebsiteUrl ^(?s).{4,255}$ (required: see the cross-field rules)"},
	"Customer.Account.AwsAccountId": {pattern: reAwsAccount, format: "a 12-digit AWS account ID",
		cite: `model: AwsAccount ^([0-9]{12}|\w{1,12})$`},
	"Customer.Account.Duns": {pattern: reDuns, format: "a 9-digit DUNS number",
		cite: "model: DunsNumber ^[0-9]{9}$"},
	"Customer.Account.Address.City": {max: 255,
		cite: "model: Address.City ^(?s).{0,255}$"},
	"Customer.Account.Address.PostalCode": {need: requiredByACE, max: 20,
		cite: "model: Address.PostalCode ^(?s).{0,20}$; ACE: mandatory"},
	"Customer.Account.Address.StateOrRegion": {
		cite: "doc: the valid values are US states and territories (see the cross-field rules)"},
	"Customer.Account.Address.CountryCode": {need: requiredByACE, enum: CountryCodes,
		enumWords: "a two-letter ISO 3166 country code that ACE lists",
		cite:      "model: CountryCode enum; ACE: mandatory"},
	"Customer.Account.Address.StreetAddress": {max: 255,
		cite: "model: Address.StreetAddress ^(?s).{0,255}$"},

	"Project.DeliveryModels": {need: requiredByACE, minItems: 1, enum: DeliveryModels,
		cite: "model: DeliveryModel enum; ACE: mandatory"},
	"Project.ExpectedCustomerSpend": {need: requiredByACE, minItems: 1, maxItems: 10,
		cite: "model: ExpectedCustomerSpendList @length 0..10; ACE: at least one estimate"},
	"Project.ExpectedCustomerSpend[].Amount": {need: requiredByACE, pattern: reAmount, format: wordsAmount,
		cite: `model: Amount ^((0|([1-9][0-9]{0,30}))(\.[0-9]{0,2})?)?$; ACE: mandatory`},
	"Project.ExpectedCustomerSpend[].CurrencyCode": {need: requiredByModel, enum: AcceptedCurrencies, doc: true,
		cite: `model: CurrencyCode @required; doc: "Accepted values are USD and EUR"`},
	"Project.ExpectedCustomerSpend[].Frequency": {need: requiredByModel, enum: []string{FrequencyMonthly},
		cite: "model: Frequency @required, PaymentFrequency enum (Monthly)"},
	"Project.ExpectedCustomerSpend[].TargetCompany": {need: requiredByModel, min: 1, max: 80,
		cite: `model: TargetCompany @required, ^(?s).{1,80}$; doc: only "AWS" is kept`},
	"Project.ExpectedCustomerSpend[].EstimationUrl": {pattern: reEstimationURL,
		format: "an AWS Pricing Calculator estimate URL",
		cite:   "model: EstimationUrl ^https://(calculator\\.aws|...)/#/estimate\\?id=[a-f0-9]{32,64}$"},
	"Project.ExpectedContractDuration.Term": {need: requiredByModel, enum: ContractDurationTerms,
		cite: "model: ExpectedContractDuration.Term @required, enum (Months)"},
	"Project.ExpectedContractDuration.Value": {need: requiredByModel, pattern: reContractMonths,
		format: "a whole number from 1 to 144", doc: true,
		cite: `model: ExpectedContractDuration.Value @required; doc: "Valid values range from 1 to 144"`},
	"Project.Title": {need: requiredByACE, max: 255,
		cite: "model: Project.Title ^(?s).{0,255}$; ACE: mandatory"},
	"Project.ApnPrograms": {enum: ApnPrograms, doc: true,
		cite: "doc: Project.ApnPrograms valid values"},
	"Project.CustomerBusinessProblem": {need: requiredByACE, min: 20, max: 2000,
		cite: "model: Project.CustomerBusinessProblem ^(?s).{20,2000}$; ACE: mandatory"},
	"Project.CustomerUseCase": {need: requiredByACE, enum: CustomerUseCases, doc: true,
		cite: "doc: Project.CustomerUseCase valid values; ACE: mandatory"},
	"Project.RelatedOpportunityIdentifier": {pattern: reOpportunity, format: "an opportunity id such as O1234567",
		cite: "model: OpportunityIdentifier ^O[0-9]{1,19}$"},
	"Project.SalesActivities": {need: requiredByACE, minItems: 1, enum: SalesActivities,
		cite: `model: SalesActivity enum; doc: "conditionally mandatory when the project is qualified for Co-Sell"`},
	"Project.CompetitorName": {enum: CompetitorNames, cite: "model: CompetitorName enum"},
	"Project.OtherCompetitorNames": {max: 255,
		cite: "model: Project.OtherCompetitorNames ^(?s).{0,255}$"},
	"Project.OtherSolutionDescription": {max: 255,
		cite: "model: Project.OtherSolutionDescription ^(?s).{0,255}$"},
	"Project.AdditionalComments": {min: 1, max: 255,
		cite: "model: Project.AdditionalComments ^(?s).{1,255}$"},
	"Project.AwsPartition": {enum: AwsPartitions, cite: "model: AwsPartition enum"},

	"LifeCycle.Stage": {need: requiredByACE, enum: Stages,
		cite: "model: Stage enum; ACE: mandatory"},
	"LifeCycle.ClosedLostReason": {enum: ClosedLostReasons, cite: "model: ClosedLostReason enum"},
	"LifeCycle.NextSteps":        {max: 255, cite: "model: LifeCycle.NextSteps ^(?s).{0,255}$"},
	"LifeCycle.TargetCloseDate": {need: requiredByACE, pattern: reDate, format: wordsDate,
		cite: "model: Date ^[1-9][0-9]{3}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$; ACE: mandatory"},

	"Marketing.Source": {need: requiredByACE, enum: MarketingSources,
		cite: "model: MarketingSource enum; ACE: mandatory (is the opportunity from AWS marketing?)"},
	"Marketing.AwsFundingUsed": {enum: YesNo, cite: "model: AwsFundingUsed enum"},
	"Marketing.Channels":       {enum: Channels, cite: "model: Channel enum"},

	"SoftwareRevenue.DeliveryModel": {enum: RevenueModels, cite: "model: RevenueModel enum"},
	"SoftwareRevenue.Value.Amount": {need: requiredByModel, pattern: reAmount, format: wordsAmount,
		cite: "model: MonetaryValue.Amount @required, ^(0|([1-9][0-9]{0,30}))(\\.[0-9]{0,2})?$"},
	"SoftwareRevenue.Value.CurrencyCode": {need: requiredByModel, enum: AcceptedCurrencies, doc: true,
		cite: `model: MonetaryValue.CurrencyCode @required; doc: "Accepted values are USD and EUR"`},
	"SoftwareRevenue.EffectiveDate":  {pattern: reDate, format: wordsDate, cite: "model: Date pattern"},
	"SoftwareRevenue.ExpirationDate": {pattern: reDate, format: wordsDate, cite: "model: Date pattern"},
},
	contactRules("Customer.Contacts[]", "Contact"),
	contactRules("OpportunityTeam[]", "Contact"),
)

func merge(ms ...map[string]rule) map[string]rule {
	out := map[string]rule{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// crossRules are the rules that tie one member to another. Each is checked
// by the function of the same name in validate.go; the table is what the
// documentation lists.
var crossRules = []struct{ name, cite string }{
	{"OtherIndustry is required when Industry is Other",
		`doc: Account.Industry "Conditionally mandatory if Other is selected"`},
	{"WebsiteUrl is required unless NationalSecurity is Yes",
		`doc: Account.WebsiteUrl "required in all cases except when the opportunity is related to national security"`},
	{"WebsiteUrl must be a web address such as https://example.com",
		"model: CompanyWebsiteUrl pattern, the customer's website in the engagement that submission creates"},
	{"NationalSecurity may be Yes only when Industry is Government",
		`doc: NationalSecurity "must be set to true only when the customer's industry is Government"`},
	{"StateOrRegion is required, from the listed states, when CountryCode is US",
		"doc: Address.StateOrRegion valid values; ACE: mandatory for US customers"},
	{"OtherCompetitorNames is required with CompetitorName *Other, and allowed only then",
		`doc: OtherCompetitorNames "Only allowed when CompetitorNames has Other selected"`},
	{"ClosedLostReason is required when Stage is Closed Lost",
		`doc: ClosedLostReason "the reason code when an opportunity is marked as Closed Lost"`},
	{"TargetCloseDate must not be in the past while the opportunity is open",
		`doc: LifeCycle.TargetCloseDate "Ensure the Target Close Date isn't in the past"`},
	{"Origin must be Partner Referral in the AWS catalog",
		`doc: Origin "For all opportunities created with Catalog: AWS, this field must only be Partner Referral"`},
	{"Marketing.UseCases must be empty when AwsFundingUsed is No",
		`doc: Marketing.UseCases "Must be empty when Marketing.AWSFundingUsed = No"`},
}
