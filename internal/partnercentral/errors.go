package partnercentral

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an error answer from Partner Central: its HTTP status, the
// error type the service named (ConflictException, ThrottlingException and
// so on, or a type the model does not list, such as
// UnrecognizedClientException) and its message. Every typed error below
// embeds it. The message comes from AWS and may quote values from the
// request: log Code, never Message.
type APIError struct {
	Operation  string
	StatusCode int
	Code       string
	Message    string
	RequestID  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("partnercentral %s: %d %s: %s", e.Operation, e.StatusCode, e.Code, e.Message)
}

// ErrorCode returns the error type the service named.
func (e *APIError) ErrorCode() string { return e.Code }

// ValidationException (400): the request breaks the model's constraints
// (Reason REQUEST_VALIDATION_FAILED) or ACE's business rules (Reason
// BUSINESS_VALIDATION_FAILED). ErrorList names each field. Not retried: it
// goes back to the partner.
type ValidationException struct {
	APIError
	Reason    string
	ErrorList []ValidationExceptionError
}

// ValidationExceptionError is one bad field.
type ValidationExceptionError struct {
	FieldName string `json:"FieldName,omitempty"`
	Message   string `json:"Message"`
	Code      string `json:"Code"`
}

// FieldErrors returns the ErrorList as FieldErrors, the shape the
// pre-flight checks use, so a partner sees AWS's rejection and CloudRoute's
// own checks the same way.
func (e *ValidationException) FieldErrors() []FieldError {
	out := make([]FieldError, 0, len(e.ErrorList))
	for _, v := range e.ErrorList {
		src := SourceACE
		if e.Reason == ReasonRequestValidationFailed {
			src = SourceModel
		}
		out = append(out, FieldError{Field: v.FieldName, Code: v.Code, Message: v.Message, Source: src})
	}
	return out
}

// ConflictException (409): the opportunity changed since it was read (a
// stale LastModifiedDate), its review locks it, or a ClientToken was reused
// with another body. Resolved by reading the opportunity again.
type ConflictException struct{ APIError }

// ThrottlingException (429): too many requests. Retried with backoff.
type ThrottlingException struct{ APIError }

// AccessDeniedException (403): the identity may not do this. Reason is
// INCOMPATIBLE_BENEFIT_AWS_PARTNER_STATE or empty.
type AccessDeniedException struct {
	APIError
	Reason string
}

// ResourceNotFoundException (404): no such opportunity or invitation in
// this catalog for this identity.
type ResourceNotFoundException struct{ APIError }

// ServiceQuotaExceededException (402): a quota, such as the daily write
// quota, is used up. Not retried: waiting seconds will not help.
type ServiceQuotaExceededException struct{ APIError }

// InternalServerException (500): the service failed. Retried with backoff.
type InternalServerException struct{ APIError }

// decodeError turns an error answer into a typed error. The error type is
// read as the service's own SDKs read it: the X-Amzn-ErrorType header first,
// then the body's "__type", then its "code"; it is cut to the shape name
// ("com.amazonaws.partnercentralselling#ValidationException:http://..."
// becomes "ValidationException").
func decodeError(op string, resp *http.Response, body []byte) error {
	var info struct {
		Type      string                     `json:"__type"`
		Message   string                     `json:"Message"`
		Code      any                        `json:"code"`
		Reason    string                     `json:"Reason"`
		ErrorList []ValidationExceptionError `json:"ErrorList"`
	}
	// A body that is not JSON (a proxy's HTML page) still leaves the
	// status and the header to go by.
	_ = json.Unmarshal(body, &info)
	typ := resp.Header.Get("X-Amzn-ErrorType")
	if typ == "" {
		typ = info.Type
	}
	if typ == "" {
		if s, ok := info.Code.(string); ok {
			typ = s
		}
	}
	typ = sanitizeErrorType(typ)
	if typ == "" {
		typ = "UnknownError"
	}
	base := APIError{
		Operation:  op,
		StatusCode: resp.StatusCode,
		Code:       typ,
		Message:    info.Message,
		RequestID:  resp.Header.Get("X-Amzn-RequestId"),
	}
	switch typ {
	case "ValidationException":
		return &ValidationException{APIError: base, Reason: info.Reason, ErrorList: info.ErrorList}
	case "ConflictException":
		return &ConflictException{base}
	case "ThrottlingException":
		return &ThrottlingException{base}
	case "AccessDeniedException":
		return &AccessDeniedException{APIError: base, Reason: info.Reason}
	case "ResourceNotFoundException":
		return &ResourceNotFoundException{base}
	case "ServiceQuotaExceededException":
		return &ServiceQuotaExceededException{base}
	case "InternalServerException":
		return &InternalServerException{base}
	}
	return &base
}

func sanitizeErrorType(t string) string {
	if i := strings.IndexByte(t, ':'); i >= 0 {
		t = t[:i]
	}
	if i := strings.LastIndexByte(t, '#'); i >= 0 {
		t = t[i+1:]
	}
	return strings.TrimSpace(t)
}

// ErrorCode returns the error type of a Partner Central error answer
// ("ConflictException"), and "" for any other error.
func ErrorCode(err error) string {
	var coded interface{ ErrorCode() string }
	if errors.As(err, &coded) {
		return coded.ErrorCode()
	}
	return ""
}

// StatusCode returns the HTTP status of a Partner Central error answer, and
// 0 for any other error.
func StatusCode(err error) int {
	var e interface{ statusCode() int }
	if errors.As(err, &e) {
		return e.statusCode()
	}
	return 0
}

func (e *APIError) statusCode() int { return e.StatusCode }
