// Package cloudrouteapi is a client for CloudRoute's own HTTP API, used by the
// scripts (scripts/seeddemo, scripts/loadtest). It uses only the standard
// library and the HTTP contract (openapi.yaml).
package cloudrouteapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxAnswer bounds how much of an answer Do reads.
const maxAnswer = 4 << 20

// maxDetail bounds how much of an unexpected answer an Error shows.
const maxDetail = 2000

// Client calls the API with one API key.
type Client struct {
	// BaseURL is the API's base URL, without a trailing slash, such as
	// http://localhost:8080.
	BaseURL string
	// Key is the API key sent as Authorization: Bearer <Key>.
	Key string
	// HTTP sends the requests.
	HTTP *http.Client
}

// New returns a Client for baseURL (a trailing slash is dropped) that sends
// key with every request through hc.
func New(baseURL, key string, hc *http.Client) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Key: key, HTTP: hc}
}

// Error is an answer whose status is not the one the caller wanted. When
// the body is a problem document, Code and Detail are its fields.
type Error struct {
	// Method and Path are the request's.
	Method, Path string
	// StatusCode is the answer's status, such as 422.
	StatusCode int
	// Status is the answer's status line, such as "422 Unprocessable Entity".
	Status string
	// Code is the problem document's code, such as "validation_failed"; empty
	// when the body is not a problem document.
	Code string
	// Detail is the problem document's detail; empty when the body is not a
	// problem document.
	Detail string
	// Body is the answer's body, trimmed and cut to 2000 bytes.
	Body string
}

// Error names the request and the status and shows the body; it adds a hint
// on 401 and 403.
func (e *Error) Error() string {
	if e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden {
		return fmt.Sprintf("%s %s: %s (is the admin key right?): %s", e.Method, e.Path, e.Status, e.Body)
	}
	return fmt.Sprintf("%s %s: %s: %s", e.Method, e.Path, e.Status, e.Body)
}

// Do sends body (when not nil) as JSON to the API's path with method, and
// decodes an answer of status want into out (when not nil). An answer of
// any other status is an *Error carrying the problem document.
func (c *Client) Do(ctx context.Context, method, path string, body any, want int, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		e := &Error{Method: method, Path: path, StatusCode: resp.StatusCode, Status: resp.Status}
		var p struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(raw, &p) == nil {
			e.Code, e.Detail = p.Code, p.Detail
		}
		e.Body = strings.TrimSpace(string(raw))
		if len(e.Body) > maxDetail {
			e.Body = e.Body[:maxDetail] + "..."
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode the answer: %w", method, path, err)
		}
	}
	return nil
}

// Partner is the body of POST /v1/admin/partners.
type Partner struct {
	Name               string              `json:"name"`
	Tier               string              `json:"tier"`
	Regions            []string            `json:"regions"`
	Verticals          []string            `json:"verticals"`
	Capacity           int                 `json:"capacity"`
	CommissionBPS      int                 `json:"commission_bps"`
	Status             string              `json:"status"`
	ContactEmail       string              `json:"contact_email"`
	ExcludedAxisValues map[string][]string `json:"excluded_axis_values"`
}

// Outcome is one item of POST /v1/admin/partners/{id}/track-record: a past
// ACE outcome, with RFC 3339 times.
type Outcome struct {
	DecidedAt      string `json:"decided_at"`
	SubmittedAt    string `json:"submitted_at"`
	Stage          string `json:"stage"`
	Region         string `json:"region"`
	Vertical       string `json:"vertical"`
	ServiceProfile string `json:"service_profile"`
	EngagementType string `json:"engagement_type"`
	FundingSource  string `json:"funding_source"`
	Outcome        string `json:"outcome"`
	RequestedUSD   int64  `json:"requested_usd"`
	ApprovedUSD    int64  `json:"approved_usd"`
}

// Created is the part of a 201 answer that names the created resource.
type Created struct {
	ID string `json:"id"`
}

// Imported is the answer of POST /v1/admin/partners/{id}/track-record.
type Imported struct {
	Imported int `json:"imported"`
}
