package intake

import (
	"slices"
	"strings"
)

// KnownServices is the published list of AWS service names accepted in
// projected_monthly_spend[].service, in lower snake case. "other" covers
// anything not listed, so that a founder is never stuck. Treat it as
// read-only: it is also the list quoted back in validation messages.
var KnownServices = []string{
	// compute
	"ec2", "lambda", "ecs", "eks", "fargate", "lightsail", "batch", "app_runner", "elastic_beanstalk",
	// storage
	"s3", "ebs", "efs", "fsx", "backup",
	// databases
	"rds", "aurora", "dynamodb", "elasticache", "documentdb", "neptune", "timestream", "memorydb",
	// AI
	"bedrock", "sagemaker", "rekognition", "textract", "transcribe", "comprehend",
	// analytics
	"redshift", "opensearch", "kinesis", "glue", "athena", "emr", "msk", "quicksight",
	// integration
	"sqs", "sns", "eventbridge", "step_functions", "api_gateway",
	// network and edge
	"cloudfront", "route53", "vpc", "elb", "global_accelerator", "direct_connect",
	// security, management, IoT, front end
	"waf", "shield", "cognito", "kms", "cloudwatch", "iot_core", "amplify",
	"other",
}

// NormalizeService returns the canonical name of an AWS service and whether
// it is known. Matching ignores case and surrounding space, and treats '-'
// and ' ' as '_', so "API Gateway", "api-gateway" and "api_gateway" are one
// service. A handful of common spellings ("route_53", "amazon_s3") are
// folded onto their canonical names.
func NormalizeService(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return "", false
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ':
			return '_'
		}
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
	for _, prefix := range []string{"amazon_", "aws_"} {
		if t, ok := strings.CutPrefix(s, prefix); ok && slices.Contains(KnownServices, t) {
			return t, true
		}
	}
	if alias, ok := serviceAliases[s]; ok {
		return alias, true
	}
	if slices.Contains(KnownServices, s) {
		return s, true
	}
	return "", false
}

// serviceAliases maps other common spellings to a canonical name.
var serviceAliases = map[string]string{
	"route_53":               "route53",
	"apigateway":             "api_gateway",
	"dynamo":                 "dynamodb",
	"dynamo_db":              "dynamodb",
	"elasticsearch":          "opensearch",
	"stepfunctions":          "step_functions",
	"elastic_load_balancing": "elb",
	"alb":                    "elb",
	"nlb":                    "elb",
	"kafka":                  "msk",
	"emr_serverless":         "emr",
	"aurora_serverless":      "aurora",
}
