package partnercentral

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldError is one field that breaks one of ACE's rules, named by its path
// in the model, list elements by index: "Project.ExpectedCustomerSpend[0].Amount".
// Field and Message read as a sentence:
// "Project.CustomerBusinessProblem must be at least 20 characters (has 12)".
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`    // a ValidationExceptionErrorCode
	Message string `json:"message"` // what is wrong, without the field's value
	Source  string `json:"source"`  // SourceModel or SourceACE
}

// String returns the field and the message as one sentence.
func (e FieldError) String() string { return e.Field + " " + e.Message }

// Where a rule comes from, which also says how the service rejects a break
// of it: SourceModel rules are request validation, SourceACE rules business
// validation.
const (
	SourceModel = "model"
	SourceACE   = "ace"
)

// ValidationReason returns the ValidationException Reason the service gives
// for errs: REQUEST_VALIDATION_FAILED when any breaks the model's own
// constraints, BUSINESS_VALIDATION_FAILED otherwise.
func ValidationReason(errs []FieldError) string {
	for _, e := range errs {
		if e.Source == SourceModel {
			return ReasonRequestValidationFailed
		}
	}
	return ReasonBusinessValidationFailed
}

// ValidateCreate checks a CreateOpportunityRequest against the model's
// constraints and ACE's mandatory fields for a partner referral, and lists
// every break, in the order of the members. now dates the "not in the past"
// rule of TargetCloseDate. An empty result is no promise that AWS will
// accept the opportunity (its reviewers judge the content), only that the
// request is one ACE accepts for review.
func ValidateCreate(req CreateOpportunityRequest, now time.Time) []FieldError {
	c := newChecker(now)
	c.str("Catalog", "Catalog", req.Catalog, true)
	c.str("ClientToken", "ClientToken", req.ClientToken, true)
	c.str("Origin", "Origin", req.Origin, true)
	c.count("OpportunityTeam", "OpportunityTeam", len(req.OpportunityTeam), true)
	for i, m := range req.OpportunityTeam {
		c.contact(fmt.Sprintf("OpportunityTeam[%d]", i), "OpportunityTeam[]", m)
	}
	c.opportunity(req.Opportunity)
	c.originInCatalog(req.Catalog, req.Origin)
	return c.errs
}

// ValidateUpdate checks an UpdateOpportunityRequest as ValidateCreate does a
// create: the same rules hold, since an update carries the whole
// opportunity, plus the update's Identifier and LastModifiedDate.
func ValidateUpdate(req UpdateOpportunityRequest, now time.Time) []FieldError {
	c := newChecker(now)
	c.str("Catalog", "Catalog", req.Catalog, true)
	c.str("Identifier", "Identifier", req.Identifier, true)
	if req.LastModifiedDate.IsZero() {
		c.missing("LastModifiedDate", "LastModifiedDate")
	}
	c.opportunity(req.Opportunity)
	return c.errs
}

// ValidateGet checks a GetOpportunityRequest.
func ValidateGet(req GetOpportunityRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	c.str("Identifier", "Identifier", req.Identifier, true)
	return c.errs
}

// ValidateList checks a ListOpportunitiesRequest: the catalog, the page
// size (1 to 100), the sort and the filters' value sets and lengths.
func ValidateList(req ListOpportunitiesRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	if req.MaxResults != 0 && (req.MaxResults < 1 || req.MaxResults > 100) {
		c.add("MaxResults", CodeValueOutOfRange, SourceModel, "must be from 1 to 100")
	}
	if s := req.Sort; s != nil {
		c.enum("Sort.SortOrder", s.SortOrder, SortOrders)
		c.enum("Sort.SortBy", s.SortBy, OpportunitySortNames)
	}
	c.maxItems("Identifier", len(req.Identifier), 20)
	for i, id := range req.Identifier {
		c.pattern(fmt.Sprintf("Identifier[%d]", i), id, reOpportunity, "an opportunity id such as O1234567")
	}
	c.maxItems("LifeCycleStage", len(req.LifeCycleStage), 10)
	for i, v := range req.LifeCycleStage {
		c.enum(fmt.Sprintf("LifeCycleStage[%d]", i), v, Stages)
	}
	c.maxItems("LifeCycleReviewStatus", len(req.LifeCycleReviewStatus), 10)
	for i, v := range req.LifeCycleReviewStatus {
		c.enum(fmt.Sprintf("LifeCycleReviewStatus[%d]", i), v, ReviewStatuses)
	}
	c.maxItems("CustomerCompanyName", len(req.CustomerCompanyName), 10)
	return c.errs
}

// ValidateAssociate checks an AssociateOpportunityRequest, including the
// identifier's form for its entity type: a solution is S-<digits> (or
// Other), a Marketplace offer or offer set an ARN.
func ValidateAssociate(req AssociateOpportunityRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	if req.OpportunityIdentifier == "" {
		c.missing("OpportunityIdentifier", "")
	} else {
		c.pattern("OpportunityIdentifier", req.OpportunityIdentifier, reOpportunity, "an opportunity id such as O1234567")
	}
	if req.RelatedEntityType == "" {
		c.missing("RelatedEntityType", "")
	} else {
		c.enum("RelatedEntityType", req.RelatedEntityType, RelatedEntityTypes)
	}
	id := req.RelatedEntityIdentifier
	switch n := utf8.RuneCountInString(id); {
	case n == 0:
		c.missing("RelatedEntityIdentifier", "")
	case n > 255:
		c.add("RelatedEntityIdentifier", CodeInvalidStringFormat, SourceModel, "must be at most 255 characters (has %d)", n)
	case req.RelatedEntityType == RelatedSolutions && id != SolutionOther && !reSolution.MatchString(id):
		c.add("RelatedEntityIdentifier", CodeInvalidStringFormat, SourceModel, "must be a solution id such as S-1234567, or Other")
	case req.RelatedEntityType == RelatedAwsMarketplaceOffers && !reMarketplaceOffr.MatchString(id):
		c.add("RelatedEntityIdentifier", CodeInvalidStringFormat, SourceModel, "must be an AWS Marketplace offer ARN")
	case req.RelatedEntityType == RelatedAwsMarketplaceOfferSets && !reMarketplaceSet.MatchString(id):
		c.add("RelatedEntityIdentifier", CodeInvalidStringFormat, SourceModel, "must be an AWS Marketplace offer set ARN")
	}
	return c.errs
}

// ValidateSubmit checks a SubmitOpportunityRequest.
func ValidateSubmit(req SubmitOpportunityRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	c.str("Identifier", "Identifier", req.Identifier, true)
	c.involvement("InvolvementType", "Visibility", req.InvolvementType, req.Visibility)
	return c.errs
}

// ValidateStartEngagement checks a StartEngagementFromOpportunityTaskRequest.
func ValidateStartEngagement(req StartEngagementFromOpportunityTaskRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	c.str("ClientToken", "ClientToken", req.ClientToken, true)
	c.str("Identifier", "Identifier", req.Identifier, true)
	c.involvement("AwsSubmission.InvolvementType", "AwsSubmission.Visibility",
		req.AwsSubmission.InvolvementType, req.AwsSubmission.Visibility)
	return c.errs
}

// ValidateListInvitations checks a ListEngagementInvitationsRequest.
func ValidateListInvitations(req ListEngagementInvitationsRequest) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", req.Catalog, true)
	if req.ParticipantType == "" {
		c.missing("ParticipantType", "")
	} else {
		c.enum("ParticipantType", req.ParticipantType, ParticipantTypes)
	}
	if req.MaxResults != 0 && (req.MaxResults < 1 || req.MaxResults > 100) {
		c.add("MaxResults", CodeValueOutOfRange, SourceModel, "must be from 1 to 100")
	}
	if n := len(req.Status); n > 10 {
		c.add("Status", CodeTooManyValues, SourceModel, "must have at most 10 values")
	}
	for i, s := range req.Status {
		c.enum(fmt.Sprintf("Status[%d]", i), s, InvitationStatuses)
	}
	for i, p := range req.PayloadType {
		c.enum(fmt.Sprintf("PayloadType[%d]", i), p, PayloadTypes)
	}
	return c.errs
}

// ValidateInvitationAnswer checks the Catalog and Identifier of an accept or
// a reject, and a reject's RejectionReason.
func ValidateInvitationAnswer(catalog, identifier, rejectionReason string) []FieldError {
	c := newChecker(time.Time{})
	c.str("Catalog", "Catalog", catalog, true)
	switch {
	case identifier == "":
		c.missing("Identifier", "")
	case utf8.RuneCountInString(identifier) > 255 || !reInvitation.MatchString(identifier):
		c.add("Identifier", CodeInvalidStringFormat, SourceModel, "must be an invitation id such as engi-0123456789abc, or its ARN")
	}
	if rejectionReason != "" && !reRejectionReason.MatchString(rejectionReason) {
		c.add("RejectionReason", CodeInvalidStringFormat, SourceModel, "must be 1 to 80 printable characters")
	}
	return c.errs
}

// checker collects FieldErrors while walking a request.
type checker struct {
	now  time.Time
	errs []FieldError
	// seen records the rule rows looked up, for the test that keeps the
	// table and the walker in step.
	seen map[string]bool
}

func newChecker(now time.Time) *checker { return &checker{now: now} }

func (c *checker) add(field, code, source, format string, args ...any) {
	c.errs = append(c.errs, FieldError{Field: field, Code: code, Message: fmt.Sprintf(format, args...), Source: source})
}

func (c *checker) rule(generic string) rule {
	r, ok := rules[generic]
	if !ok {
		panic("partnercentral: no pre-flight rule for " + generic)
	}
	if c.seen != nil {
		c.seen[generic] = true
	}
	return r
}

// missing reports a required member that is absent. generic names its
// rule, which says whose requirement it is ("" for an operation's own
// required members, which are the model's).
func (c *checker) missing(field, generic string) {
	src := SourceModel
	if generic != "" && c.rule(generic).need == requiredByACE {
		src = SourceACE
	}
	c.add(field, CodeRequiredFieldMissing, src, "is required")
}

func source(r rule) string {
	if r.doc {
		return SourceACE
	}
	return SourceModel
}

// str checks one string member against its rule. parent says whether the
// structure holding it is present: the model's required members are
// required only inside a present parent, ACE's always.
func (c *checker) str(field, generic, v string, parent bool) {
	r := c.rule(generic)
	if v == "" {
		if r.need == requiredByACE || (r.need == requiredByModel && parent) {
			c.missing(field, generic)
		}
		return
	}
	src := source(r)
	n := utf8.RuneCountInString(v)
	switch {
	case r.min > 0 && n < r.min:
		c.add(field, CodeInvalidStringFormat, src, "must be at least %d characters (has %d)", r.min, n)
		return
	case r.max > 0 && n > r.max:
		c.add(field, CodeInvalidStringFormat, src, "must be at most %d characters (has %d)", r.max, n)
		return
	case r.pattern != nil && !r.pattern.MatchString(v):
		c.add(field, CodeInvalidStringFormat, src, "must be %s", r.format)
		return
	}
	if r.enum != nil && !oneOf(v, r.enum) {
		c.add(field, CodeInvalidEnumValue, src, "must be %s", enumWords(r))
	}
}

// list checks a list of strings: its size and each value.
func (c *checker) list(field, generic string, vs []string, parent bool) {
	r := c.rule(generic)
	if len(vs) == 0 && (r.need == requiredByACE || (r.need == requiredByModel && parent)) {
		c.missing(field, generic)
		return
	}
	c.size(field, r, len(vs))
	for i, v := range vs {
		if r.enum != nil && !oneOf(v, r.enum) {
			c.add(fmt.Sprintf("%s[%d]", field, i), CodeInvalidEnumValue, source(r), "must be %s", enumWords(r))
		}
	}
}

// count checks the size of a list of structures, whose members have rules
// of their own.
func (c *checker) count(field, generic string, n int, parent bool) {
	r := c.rule(generic)
	if n == 0 && (r.need == requiredByACE || (r.need == requiredByModel && parent)) {
		c.missing(field, generic)
		return
	}
	c.size(field, r, n)
}

func (c *checker) size(field string, r rule, n int) {
	switch {
	case n > 0 && n < r.minItems:
		c.add(field, CodeNotEnoughValues, source(r), "must have at least %d values", r.minItems)
	case r.maxItems > 0 && n > r.maxItems:
		c.add(field, CodeTooManyValues, source(r), "must have at most %d values (has %d)", r.maxItems, n)
	}
}

// enum, pattern and maxItems check the members of operations other than
// the opportunity's own, which have no table row.
func (c *checker) enum(field, v string, set []string) {
	if v != "" && !oneOf(v, set) {
		c.add(field, CodeInvalidEnumValue, SourceModel, "must be one of: %s", strings.Join(set, ", "))
	}
}

func (c *checker) pattern(field, v string, re interface{ MatchString(string) bool }, words string) {
	if !re.MatchString(v) {
		c.add(field, CodeInvalidStringFormat, SourceModel, "must be %s", words)
	}
}

func (c *checker) maxItems(field string, n, max int) {
	if n > max {
		c.add(field, CodeTooManyValues, SourceModel, "must have at most %d values (has %d)", max, n)
	}
}

func (c *checker) involvement(typeField, visField, involvement, visibility string) {
	if involvement == "" {
		c.missing(typeField, "")
	} else {
		c.enum(typeField, involvement, InvolvementTypes)
	}
	c.enum(visField, visibility, Visibilities)
}

func enumWords(r rule) string {
	if r.enumWords != "" {
		return r.enumWords
	}
	return "one of: " + strings.Join(r.enum, ", ")
}

func (c *checker) contact(field, generic string, m Contact) {
	c.str(field+".Email", generic+".Email", m.Email, true)
	c.str(field+".FirstName", generic+".FirstName", m.FirstName, true)
	c.str(field+".LastName", generic+".LastName", m.LastName, true)
	c.str(field+".BusinessTitle", generic+".BusinessTitle", m.BusinessTitle, true)
	c.str(field+".Phone", generic+".Phone", m.Phone, true)
}

// opportunity walks every member of the opportunity, in the model's order,
// then the cross-field rules.
func (c *checker) opportunity(o Opportunity) {
	c.list("PrimaryNeedsFromAws", "PrimaryNeedsFromAws", o.PrimaryNeedsFromAws, true)
	c.str("NationalSecurity", "NationalSecurity", o.NationalSecurity, true)
	c.str("PartnerOpportunityIdentifier", "PartnerOpportunityIdentifier", o.PartnerOpportunityIdentifier, true)

	var cust Customer
	if o.Customer != nil {
		cust = *o.Customer
	}
	var acct Account
	if cust.Account != nil {
		acct = *cust.Account
	}
	var addr Address
	if acct.Address != nil {
		addr = *acct.Address
	}
	hasAcct, hasAddr := cust.Account != nil, acct.Address != nil
	c.str("Customer.Account.Industry", "Customer.Account.Industry", acct.Industry, hasAcct)
	c.str("Customer.Account.OtherIndustry", "Customer.Account.OtherIndustry", acct.OtherIndustry, hasAcct)
	c.str("Customer.Account.CompanyName", "Customer.Account.CompanyName", acct.CompanyName, hasAcct)
	c.str("Customer.Account.WebsiteUrl", "Customer.Account.WebsiteUrl", acct.WebsiteUrl, hasAcct)
	c.str("Customer.Account.AwsAccountId", "Customer.Account.AwsAccountId", acct.AwsAccountId, hasAcct)
	c.str("Customer.Account.Duns", "Customer.Account.Duns", acct.Duns, hasAcct)
	for _, m := range []struct{ name, v string }{
		{"City", addr.City}, {"PostalCode", addr.PostalCode}, {"StateOrRegion", addr.StateOrRegion},
		{"CountryCode", addr.CountryCode}, {"StreetAddress", addr.StreetAddress},
	} {
		p := "Customer.Account.Address." + m.name
		c.str(p, p, m.v, hasAddr)
	}
	for i, m := range cust.Contacts {
		c.contact(fmt.Sprintf("Customer.Contacts[%d]", i), "Customer.Contacts[]", m)
	}

	var proj Project
	if o.Project != nil {
		proj = *o.Project
	}
	hasProj := o.Project != nil
	c.list("Project.DeliveryModels", "Project.DeliveryModels", proj.DeliveryModels, hasProj)
	c.count("Project.ExpectedCustomerSpend", "Project.ExpectedCustomerSpend", len(proj.ExpectedCustomerSpend), hasProj)
	for i, s := range proj.ExpectedCustomerSpend {
		p := fmt.Sprintf("Project.ExpectedCustomerSpend[%d].", i)
		g := "Project.ExpectedCustomerSpend[]."
		c.str(p+"Amount", g+"Amount", s.Amount, true)
		c.str(p+"CurrencyCode", g+"CurrencyCode", s.CurrencyCode, true)
		c.str(p+"Frequency", g+"Frequency", s.Frequency, true)
		c.str(p+"TargetCompany", g+"TargetCompany", s.TargetCompany, true)
		c.str(p+"EstimationUrl", g+"EstimationUrl", s.EstimationUrl, true)
	}
	if d := proj.ExpectedContractDuration; d != nil {
		c.str("Project.ExpectedContractDuration.Term", "Project.ExpectedContractDuration.Term", d.Term, true)
		c.str("Project.ExpectedContractDuration.Value", "Project.ExpectedContractDuration.Value", d.Value, true)
	}
	c.str("Project.Title", "Project.Title", proj.Title, hasProj)
	c.list("Project.ApnPrograms", "Project.ApnPrograms", proj.ApnPrograms, hasProj)
	c.str("Project.CustomerBusinessProblem", "Project.CustomerBusinessProblem", proj.CustomerBusinessProblem, hasProj)
	c.str("Project.CustomerUseCase", "Project.CustomerUseCase", proj.CustomerUseCase, hasProj)
	c.str("Project.RelatedOpportunityIdentifier", "Project.RelatedOpportunityIdentifier", proj.RelatedOpportunityIdentifier, hasProj)
	c.list("Project.SalesActivities", "Project.SalesActivities", proj.SalesActivities, hasProj)
	c.str("Project.CompetitorName", "Project.CompetitorName", proj.CompetitorName, hasProj)
	c.str("Project.OtherCompetitorNames", "Project.OtherCompetitorNames", proj.OtherCompetitorNames, hasProj)
	c.str("Project.OtherSolutionDescription", "Project.OtherSolutionDescription", proj.OtherSolutionDescription, hasProj)
	c.str("Project.AdditionalComments", "Project.AdditionalComments", proj.AdditionalComments, hasProj)
	c.str("Project.AwsPartition", "Project.AwsPartition", proj.AwsPartition, hasProj)

	c.str("OpportunityType", "OpportunityType", o.OpportunityType, true)

	var mk Marketing
	if o.Marketing != nil {
		mk = *o.Marketing
	}
	c.str("Marketing.Source", "Marketing.Source", mk.Source, o.Marketing != nil)
	c.str("Marketing.AwsFundingUsed", "Marketing.AwsFundingUsed", mk.AwsFundingUsed, o.Marketing != nil)
	c.list("Marketing.Channels", "Marketing.Channels", mk.Channels, o.Marketing != nil)

	if sr := o.SoftwareRevenue; sr != nil {
		c.str("SoftwareRevenue.DeliveryModel", "SoftwareRevenue.DeliveryModel", sr.DeliveryModel, true)
		if v := sr.Value; v != nil {
			c.str("SoftwareRevenue.Value.Amount", "SoftwareRevenue.Value.Amount", v.Amount, true)
			c.str("SoftwareRevenue.Value.CurrencyCode", "SoftwareRevenue.Value.CurrencyCode", v.CurrencyCode, true)
		}
		c.str("SoftwareRevenue.EffectiveDate", "SoftwareRevenue.EffectiveDate", sr.EffectiveDate, true)
		c.str("SoftwareRevenue.ExpirationDate", "SoftwareRevenue.ExpirationDate", sr.ExpirationDate, true)
	}

	var lc LifeCycle
	if o.LifeCycle != nil {
		lc = *o.LifeCycle
	}
	hasLC := o.LifeCycle != nil
	c.str("LifeCycle.Stage", "LifeCycle.Stage", lc.Stage, hasLC)
	c.str("LifeCycle.ClosedLostReason", "LifeCycle.ClosedLostReason", lc.ClosedLostReason, hasLC)
	c.str("LifeCycle.NextSteps", "LifeCycle.NextSteps", lc.NextSteps, hasLC)
	c.str("LifeCycle.TargetCloseDate", "LifeCycle.TargetCloseDate", lc.TargetCloseDate, hasLC)

	c.otherIndustry(acct)
	c.website(o.NationalSecurity, acct)
	c.nationalSecurity(o.NationalSecurity, acct)
	c.usState(addr)
	c.otherCompetitor(proj)
	c.closedLostReason(lc)
	c.closeDateAhead(lc)
	c.marketingUseCases(mk)
}

// The cross-field rules, in the order of crossRules.

func (c *checker) otherIndustry(a Account) {
	if a.Industry == IndustryOther && a.OtherIndustry == "" {
		c.add("Customer.Account.OtherIndustry", CodeRequiredFieldMissing, SourceACE, "is required when Industry is Other")
	}
}

func (c *checker) website(nationalSecurity string, a Account) {
	switch {
	case a.WebsiteUrl == "" && nationalSecurity != Yes:
		c.add("Customer.Account.WebsiteUrl", CodeRequiredFieldMissing, SourceACE, "is required unless the opportunity is related to national security")
	case a.WebsiteUrl != "" && !reCompanyWebsite.MatchString(a.WebsiteUrl):
		c.add("Customer.Account.WebsiteUrl", CodeInvalidStringFormat, SourceACE, "must be a web address such as https://example.com")
	}
}

func (c *checker) nationalSecurity(nationalSecurity string, a Account) {
	if nationalSecurity == Yes && a.Industry != IndustryGovernment {
		c.add("NationalSecurity", CodeInvalidValue, SourceACE, "may be Yes only when Customer.Account.Industry is Government")
	}
}

func (c *checker) usState(a Address) {
	if a.CountryCode != CountryUS {
		return
	}
	switch {
	case a.StateOrRegion == "":
		c.add("Customer.Account.Address.StateOrRegion", CodeRequiredFieldMissing, SourceACE, "is required when CountryCode is US")
	case !oneOf(a.StateOrRegion, USStatesOrRegions):
		c.add("Customer.Account.Address.StateOrRegion", CodeInvalidEnumValue, SourceACE, "must be a US state or territory as ACE names it, such as California or Dist. of Columbia")
	}
}

func (c *checker) otherCompetitor(p Project) {
	switch {
	case p.CompetitorName == CompetitorOther && p.OtherCompetitorNames == "":
		c.add("Project.OtherCompetitorNames", CodeRequiredFieldMissing, SourceACE, "is required when CompetitorName is *Other")
	case p.CompetitorName != CompetitorOther && p.OtherCompetitorNames != "":
		c.add("Project.OtherCompetitorNames", CodeActionNotPermitted, SourceACE, "is allowed only when CompetitorName is *Other")
	}
}

func (c *checker) closedLostReason(lc LifeCycle) {
	if lc.Stage == StageClosedLost && lc.ClosedLostReason == "" {
		c.add("LifeCycle.ClosedLostReason", CodeRequiredFieldMissing, SourceACE, "is required when Stage is Closed Lost")
	}
}

func (c *checker) closeDateAhead(lc LifeCycle) {
	if c.now.IsZero() || lc.Stage == StageLaunched || lc.Stage == StageClosedLost || !reDate.MatchString(lc.TargetCloseDate) {
		return
	}
	if lc.TargetCloseDate < c.now.UTC().Format(time.DateOnly) {
		c.add("LifeCycle.TargetCloseDate", CodeInvalidValue, SourceACE, "must not be in the past")
	}
}

func (c *checker) marketingUseCases(m Marketing) {
	if m.AwsFundingUsed == No && len(m.UseCases) > 0 {
		c.add("Marketing.UseCases", CodeActionNotPermitted, SourceACE, "must be empty when AwsFundingUsed is No")
	}
}

func (c *checker) originInCatalog(catalog, origin string) {
	if catalog == CatalogAWS && origin != "" && origin != OriginPartnerReferral {
		c.add("Origin", CodeInvalidValue, SourceACE, "must be Partner Referral in the AWS catalog; AWS Referral can only be simulated in Sandbox")
	}
}
