package partnercentral

import (
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// StaticCredentials signs with a partner's access keys (and a session token
// when the keys are temporary).
func StaticCredentials(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, sessionToken)
}

// AssumeRole describes the cross-account pattern co-sell tools use: the
// partner creates an IAM role that trusts CloudRoute's AWS identity on the
// condition of an ExternalId, and CloudRoute assumes it through STS.
type AssumeRole struct {
	// RoleARN is the partner's role.
	RoleARN string
	// ExternalID is the secret the role's trust policy demands; CloudRoute
	// gives each connection its own, which keeps one partner from making
	// CloudRoute act in another partner's account.
	ExternalID string
	// SessionName names the sessions in the partner's CloudTrail;
	// "cloudroute" by default.
	SessionName string
	// Duration of the temporary credentials; STS's default (15 minutes)
	// when zero. They are renewed before they expire.
	Duration time.Duration
	// Base is CloudRoute's own identity, the one the role trusts.
	Base aws.CredentialsProvider
	// Region of STS, us-east-1 by default.
	Region string
	// STSEndpoint overrides STS's address, for a regional endpoint or a
	// test server on loopback.
	STSEndpoint string
	// HTTPClient makes the STS calls; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Provider returns a caching provider of the assumed role's temporary
// credentials. Nothing is called until the first signature.
func (a AssumeRole) Provider() (aws.CredentialsProvider, error) {
	if a.RoleARN == "" || a.ExternalID == "" {
		return nil, errors.New("partnercentral: assume role needs a role ARN and an external ID")
	}
	if a.Base == nil {
		return nil, errors.New("partnercentral: assume role needs base credentials")
	}
	opts := sts.Options{Region: a.Region, Credentials: a.Base}
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if a.STSEndpoint != "" {
		opts.BaseEndpoint = aws.String(a.STSEndpoint)
	}
	if a.HTTPClient != nil {
		opts.HTTPClient = a.HTTPClient
	}
	name := a.SessionName
	if name == "" {
		name = "cloudroute"
	}
	p := stscreds.NewAssumeRoleProvider(sts.New(opts), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String(a.ExternalID)
		o.RoleSessionName = name
		o.Duration = a.Duration
	})
	return aws.NewCredentialsCache(p), nil
}
