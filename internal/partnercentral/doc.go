// Package partnercentral is a small typed client for the AWS Partner Central
// Selling API, the API through which a partner's ACE opportunities are filed
// and followed, written from the service's Smithy model
// (aws-models/partnercentral-selling.json, API version 2022-07-26).
//
// The wire protocol is awsJson1_0: every call is a POST to "/" with
// Content-Type application/x-amz-json-1.0 and the header
// X-Amz-Target: AWSPartnerCentralSelling.<Operation>, signed with SigV4 for
// the service "partnercentral-selling" in us-east-1. Request and response
// members carry the model's names, so the structs here marshal to exactly
// what the service expects. Only the members CloudRoute uses are modelled,
// plus every member the model marks required, and every member of the
// opportunity itself: UpdateOpportunity replaces the whole opportunity, so a
// member this package could not carry back would be erased by an update.
//
// The package also holds the pre-flight checks (ValidateCreate,
// ValidateUpdate): the model's constraints and ACE's mandatory fields as Go
// tables, so that a partner reads "Project.CustomerBusinessProblem must be at
// least 20 characters" in CloudRoute instead of a rejection from AWS.
//
// Calls are retried on throttling and server errors with exponential backoff
// and jitter (RetryPolicy), writes wait for a per-connection limiter
// (WriteLimiter, RedisLimiter), and every attempt is logged with its
// operation, status and latency only: request and response bodies hold
// customer data and are never logged.
package partnercentral
