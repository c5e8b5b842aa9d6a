package web

import (
	"strconv"

	"github.com/cloudroute/cloudroute/internal/ace"
	"github.com/cloudroute/cloudroute/internal/domain"
	"github.com/cloudroute/cloudroute/internal/intake"
)

// The words a founder reads for the fixed value sets (SPEC §2). The values
// themselves stay those of package domain; this is how the pages say them.

// option is one choice of a select or a radio group.
type option struct {
	Value, Label string
	// Hint is a line under a radio button or checkbox; empty for none.
	Hint string
}

// wordsFor pairs each value of set with its label; a value without one
// reads as itself.
func wordsFor(set []string, labels map[string]string, hints map[string]string) []option {
	out := make([]option, len(set))
	for i, v := range set {
		l, ok := labels[v]
		if !ok {
			l = v
		}
		out[i] = option{Value: v, Label: l, Hint: hints[v]}
	}
	return out
}

var (
	stageLabels = map[string]string{
		"pre_seed": "Pre-seed", "seed": "Seed", "series_a": "Series A", "series_b": "Series B", "series_c_plus": "Series C or later",
	}
	regionLabels = map[string]string{
		"us_east": "US East", "us_west": "US West", "uk": "United Kingdom", "eu": "European Union",
		"mena": "Middle East and North Africa", "india": "India", "apac": "Asia Pacific", "brazil": "Brazil",
	}
	verticalLabels = map[string]string{
		"fintech": "Fintech", "healthtech": "Healthtech", "b2b_saas": "B2B SaaS", "ecommerce": "E-commerce",
		"deep_tech": "Deep tech", "gaming": "Gaming", "other": "Another industry",
	}
	profileLabels = map[string]string{
		"compute_heavy": "Compute-heavy", "ai_heavy": "AI-heavy", "data_heavy": "Data-heavy", "edge_heavy": "Edge-heavy",
	}
	profileHints = map[string]string{
		"compute_heavy": "Mostly servers, containers or functions: EC2, ECS, Lambda.",
		"ai_heavy":      "Models and inference: Bedrock, SageMaker.",
		"data_heavy":    "Databases, analytics and storage: RDS, Redshift, S3.",
		"edge_heavy":    "Delivery and devices at the edge: CloudFront, IoT Core.",
	}
	engagementLabels = map[string]string{"build": "Build", "migrate": "Migrate"}
	engagementHints  = map[string]string{
		"build":   "A new workload on AWS.",
		"migrate": "Moving a workload to AWS from another platform.",
	}
	cloudLabels = map[string]string{
		"none": "Nowhere else: we are new, or already on AWS", "gcp": "Google Cloud", "azure": "Microsoft Azure",
		"heroku": "Heroku", "digitalocean": "DigitalOcean", "on_prem": "Our own servers", "other": "Another platform",
	}
	poolLabels = map[string]string{
		ace.PoolFounders: "Activate Founders", ace.PoolPortfolio: "Activate Portfolio",
		ace.PoolBuildForStartups: "Build for Startups", ace.PoolBedrockPOC: "Bedrock proof of concept",
		ace.PoolMAP: "Migration Acceleration Program referral",
	}
	// poolHints say what a pool is for, after its amount range.
	poolHints = map[string]string{
		ace.PoolFounders:         "filed by the partner for you",
		ace.PoolPortfolio:        "needs a round with a named lead investor",
		ace.PoolBuildForStartups: "for workloads moving to AWS",
		ace.PoolBedrockPOC:       "for AI features built on Bedrock",
		ace.PoolMAP:              "for migrations",
	}
)

var (
	stageOptions      = wordsFor(domain.Stages, stageLabels, nil)
	regionOptions     = wordsFor(domain.Regions, regionLabels, nil)
	verticalOptions   = wordsFor(domain.Verticals, verticalLabels, nil)
	profileOptions    = wordsFor(domain.ServiceProfiles, profileLabels, profileHints)
	engagementOptions = wordsFor(domain.EngagementTypes, engagementLabels, engagementHints)
	cloudOptions      = wordsFor(domain.CompetingClouds, cloudLabels, nil)
	poolOptions       = func() []option {
		out := wordsFor(domain.FundingSources, poolLabels, nil)
		for i := range out {
			out[i].Hint = poolRange(out[i].Value) + ", " + poolHints[out[i].Value]
		}
		return out
	}()
)

// poolRange says a pool's amount range as the SPEC's table does:
// "5,000–25,000 USD", "up to 25,000 USD" for a range from 1, and "no
// credit amount" for a referral.
func poolRange(pool string) string {
	lo, hi, ok := ace.AmountRange(pool)
	switch {
	case !ok:
		return "no credit amount"
	case lo <= 1:
		return "up to " + usd(hi) + " USD"
	}
	return usd(lo) + "–" + usd(hi) + " USD"
}

// usd writes whole dollars with thousands separators: 150,000.
func usd(n int64) string { return ace.Money(n) }

// serviceGroups are the AWS services of intake.KnownServices as the spend
// lines offer them, grouped and named as AWS names them.
var serviceGroups = []struct {
	Label    string
	Services []option
}{
	{"Compute", []option{{Value: "ec2", Label: "EC2"}, {Value: "lambda", Label: "Lambda"}, {Value: "ecs", Label: "ECS"},
		{Value: "eks", Label: "EKS"}, {Value: "fargate", Label: "Fargate"}, {Value: "lightsail", Label: "Lightsail"},
		{Value: "batch", Label: "Batch"}, {Value: "app_runner", Label: "App Runner"}, {Value: "elastic_beanstalk", Label: "Elastic Beanstalk"}}},
	{"Storage", []option{{Value: "s3", Label: "S3"}, {Value: "ebs", Label: "EBS"}, {Value: "efs", Label: "EFS"},
		{Value: "fsx", Label: "FSx"}, {Value: "backup", Label: "Backup"}}},
	{"Databases", []option{{Value: "rds", Label: "RDS"}, {Value: "aurora", Label: "Aurora"}, {Value: "dynamodb", Label: "DynamoDB"},
		{Value: "elasticache", Label: "ElastiCache"}, {Value: "documentdb", Label: "DocumentDB"}, {Value: "neptune", Label: "Neptune"},
		{Value: "timestream", Label: "Timestream"}, {Value: "memorydb", Label: "MemoryDB"}}},
	{"AI", []option{{Value: "bedrock", Label: "Bedrock"}, {Value: "sagemaker", Label: "SageMaker"}, {Value: "rekognition", Label: "Rekognition"},
		{Value: "textract", Label: "Textract"}, {Value: "transcribe", Label: "Transcribe"}, {Value: "comprehend", Label: "Comprehend"}}},
	{"Analytics", []option{{Value: "redshift", Label: "Redshift"}, {Value: "opensearch", Label: "OpenSearch"}, {Value: "kinesis", Label: "Kinesis"},
		{Value: "glue", Label: "Glue"}, {Value: "athena", Label: "Athena"}, {Value: "emr", Label: "EMR"}, {Value: "msk", Label: "MSK (Kafka)"},
		{Value: "quicksight", Label: "QuickSight"}}},
	{"Integration", []option{{Value: "sqs", Label: "SQS"}, {Value: "sns", Label: "SNS"}, {Value: "eventbridge", Label: "EventBridge"},
		{Value: "step_functions", Label: "Step Functions"}, {Value: "api_gateway", Label: "API Gateway"}}},
	{"Network and edge", []option{{Value: "cloudfront", Label: "CloudFront"}, {Value: "route53", Label: "Route 53"}, {Value: "vpc", Label: "VPC"},
		{Value: "elb", Label: "Elastic Load Balancing"}, {Value: "global_accelerator", Label: "Global Accelerator"},
		{Value: "direct_connect", Label: "Direct Connect"}}},
	{"Security, management and more", []option{{Value: "waf", Label: "WAF"}, {Value: "shield", Label: "Shield"},
		{Value: "cognito", Label: "Cognito"}, {Value: "kms", Label: "KMS"}, {Value: "cloudwatch", Label: "CloudWatch"},
		{Value: "iot_core", Label: "IoT Core"}, {Value: "amplify", Label: "Amplify"}, {Value: "other", Label: "Other services"}}},
}

// serviceLabel names a service value for a founder; a value the list does
// not know (sent by the API) reads as itself.
func serviceLabel(v string) string {
	if s, ok := intake.NormalizeService(v); ok {
		v = s
	}
	for _, g := range serviceGroups {
		for _, o := range g.Services {
			if o.Value == v {
				return o.Label
			}
		}
	}
	return v
}

// Record states (seed 002 §VII), as a founder reads them.
var recordStateLabels = map[string]string{
	"identified": "Being drafted", "submitted": "Submitted to AWS", "validated": "Validated by AWS",
	"approved": "Approved", "launched": "Launched", "closed": "Closed", "rejected": "Rejected", "withdrawn": "Withdrawn",
}

// The phrases of "why this partner", in the seed's words: "82%
// trailing-12-month close rate on Series-A B2B SaaS Portfolio
// submissions". Each names the founder's value on one axis.
var (
	stagePhrase = map[string]string{
		"pre_seed": "pre-seed", "seed": "seed-stage", "series_a": "Series-A", "series_b": "Series-B", "series_c_plus": "Series-C-and-later",
	}
	regionPhrase = map[string]string{
		"us_east": "US-East", "us_west": "US-West", "uk": "UK", "eu": "EU", "mena": "MENA", "india": "India", "apac": "APAC", "brazil": "Brazil",
	}
	verticalPhrase = map[string]string{
		"fintech": "fintech", "healthtech": "healthtech", "b2b_saas": "B2B SaaS", "ecommerce": "e-commerce",
		"deep_tech": "deep-tech", "gaming": "gaming", "other": "other-industry",
	}
	profilePhrase    = map[string]string{"compute_heavy": "compute-heavy", "ai_heavy": "AI-heavy", "data_heavy": "data-heavy", "edge_heavy": "edge-heavy"}
	engagementPhrase = map[string]string{"build": "Build", "migrate": "Migrate"}
	axisPhrases      = map[string]map[string]string{
		"stage": stagePhrase, "region": regionPhrase, "vertical": verticalPhrase,
		"service_profile": profilePhrase, "engagement_type": engagementPhrase,
	}
)

// axisPhrase is the founder's value on axis as an adjective: "Series-A".
func axisPhrase(axis, value string) string {
	if p, ok := axisPhrases[axis][value]; ok {
		return p
	}
	return value
}

// windowPhrase names a trailing window as the seed does: 365 days is
// "trailing-12-month".
func windowPhrase(days int) string {
	switch {
	case days == 365:
		return "trailing-12-month"
	case days > 0 && days%30 == 0:
		return "trailing-" + strconv.Itoa(days/30) + "-month"
	case days > 0:
		return "trailing-" + strconv.Itoa(days) + "-day"
	}
	return "trailing"
}

// percent writes a rate in [0, 1] as a whole percentage: 0.8615 is "86%".
func percent(r float64) string {
	return strconv.Itoa(int(r*100+0.5)) + "%"
}

func label(labels map[string]string, v string) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return v
}
