package ace

import (
	"fmt"
	"strings"
)

// BriefInput is what the PDM brief is written from: the record, and the
// founder's intake for whatever the record's fields leave empty.
type BriefInput struct {
	RecordID        string
	State           string
	FundingSource   string
	RequestedUSD    int64
	TargetCloseDate *string
	Fields          RecordFields

	// From the intake.
	CompanyName           string
	CustomerDomain        string
	Stage                 string
	Vertical              string
	Region                string
	UseCase               string
	CompetingCloud        string
	ProjectedMonthlySpend []SpendLine
}

// PoolNames are the funding pools as a reader knows them.
var PoolNames = map[string]string{
	"founders": "Activate Founders", "portfolio": "Activate Portfolio", "build_for_startups": "Build for Startups",
	"bedrock_poc": "Bedrock POC", "map": "the Migration Acceleration Program",
}

// Brief writes the paragraph a partner sends its Partner Development
// Manager before asking for co-sell (seed 000: "Brief your PDM before you
// submit co-sell requests"), by a fixed template, in Markdown. Every value
// a founder or partner typed is escaped (MarkdownText), so that it reads as
// the text it is and can neither format the brief nor carry HTML or links
// into whatever renders it.
func Brief(in BriefInput) string {
	f := in.Fields
	str := func(p *string, def string) string {
		if p == nil || strings.TrimSpace(*p) == "" {
			return def
		}
		return strings.TrimSpace(*p)
	}
	lines := f.ProjectedMonthlySpend
	if len(lines) == 0 {
		lines = in.ProjectedMonthlySpend
	}
	var services []string
	var monthly int64
	for _, l := range lines {
		services = append(services, fmt.Sprintf("%s (%s USD/month)", MarkdownText(strings.ToUpper(l.Service)), Money(l.USD)))
		monthly += l.USD
	}
	words := func(v string) string { return MarkdownText(strings.ReplaceAll(v, "_", " ")) }
	ask := fmt.Sprintf("%s USD of %s credits", Money(in.RequestedUSD), PoolNames[in.FundingSource])
	if in.FundingSource == "map" {
		ask = "a " + PoolNames["map"] + " referral"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s, %s stage, %s, %s) is asking, through us, for %s.",
		MarkdownText(str(f.CompanyName, in.CompanyName)), MarkdownText(str(f.Website, in.CustomerDomain)),
		words(str(f.FundingStage, in.Stage)), words(str(f.Vertical, in.Vertical)), words(in.Region), ask)
	fmt.Fprintf(&b, " AWS is relevant because the workload projects %s USD a month on %s", Money(monthly), strings.Join(services, ", "))
	if cc := str(f.CompetingCloud, in.CompetingCloud); cc != "none" {
		fmt.Fprintf(&b, ", with %s as the competing cloud", words(cc))
	}
	fmt.Fprintf(&b, ", for this use case: %s", MarkdownText(strings.TrimSuffix(str(f.UseCase, in.UseCase), ".")))
	b.WriteString(".")
	if f.EstimatedAnnualSpendUSD != nil {
		fmt.Fprintf(&b, " After the credits, we expect %s USD a year of AWS spend.", Money(*f.EstimatedAnnualSpendUSD))
	}
	fmt.Fprintf(&b, " Our role: %s.", MarkdownText(strings.TrimSuffix(str(f.PartnerRole, "to be confirmed on the discovery call"), ".")))
	kind := "application"
	if in.FundingSource == "map" {
		kind = "referral"
	}
	fmt.Fprintf(&b, " We ask the field team to support the %s %s (record %s, now %s)", PoolNames[in.FundingSource],
		kind, MarkdownText(in.RecordID), MarkdownText(in.State))
	if in.TargetCloseDate != nil {
		fmt.Fprintf(&b, " toward a close by %s", MarkdownText(*in.TargetCloseDate))
	}
	b.WriteString(", and to flag early anything a reviewer would question.")
	return b.String()
}

// markdownEscaper backslash-escapes the punctuation that starts inline
// Markdown (emphasis, code, links, images, strikethrough, tables) and
// writes HTML's special characters as entities, which Markdown renderers
// show as the characters themselves.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`,
	`!`, `\!`, `~`, `\~`, `|`, `\|`, `#`, `\#`,
	`&`, `&amp;`, `<`, `&lt;`, `>`, `&gt;`, `"`, `&quot;`,
)

// MarkdownText makes s safe to interpolate into one Markdown paragraph: it
// folds line breaks and runs of white space into single spaces (so no
// line can start a heading, list, quote or HTML block) and escapes what
// markdownEscaper lists.
func MarkdownText(s string) string {
	return markdownEscaper.Replace(strings.Join(strings.Fields(s), " "))
}

// Money writes whole dollars with thousands separators.
func Money(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
