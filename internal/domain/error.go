// Package domain holds CloudRoute's vocabulary: the fixed value sets, the
// error type every layer speaks, and small pure helpers shared by the rule
// packages. It imports no HTTP, SQL or queue library.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. They are the `code` strings of SPEC §4; the HTTP layer maps
// each one to a status in a single table.
const (
	ECodeMalformed         = "malformed_request"
	ECodeUnauthenticated   = "unauthenticated"
	ECodeForbidden         = "forbidden"
	ECodeTierNotPermitted  = "tier_not_permitted"
	ECodeNotFound          = "not_found"
	ECodeMethodNotAllowed  = "method_not_allowed"
	ECodeDuplicateIntake   = "duplicate_intake"
	ECodeDuplicateFiling   = "duplicate_filing"
	ECodeInvalidTransition = "invalid_transition"
	ECodeConflict          = "conflict"
	ECodeIdempotencyReused = "idempotency_key_reused"
	ECodePayloadTooLarge   = "payload_too_large"
	ECodeValidation        = "validation_failed"
	ECodeIncompleteRecord  = "incomplete_record"
	ECodeAmountOutOfRange  = "amount_out_of_range"
	ECodeStackCeiling      = "stack_ceiling_exceeded"
	ECodeRateLimited       = "rate_limited"
	ECodeUnavailable       = "unavailable"
	ECodeInternal          = "internal"

	// ECodeUnsupportedMediaType is a body of a type the endpoint does not
	// read: not JSON, or not CSV where CSV is accepted.
	ECodeUnsupportedMediaType = "unsupported_media_type"
)

// FieldError names one bad field of a request and why it is bad.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type that carries a client-facing code. Anything
// else that reaches the HTTP layer is treated as internal and never shown.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Err is the cause, for the log only (an unavailable database, say);
	// it never reaches a client.
	Err error
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s", e.Code, e.Message)
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" (%d field errors)", len(e.Fields))
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the standard 404 error; it names nothing about the object.
func NotFound() *Error { return &Error{Code: ECodeNotFound, Message: "the resource does not exist"} }

// ErrorCode returns the code of err if it is (or wraps) an *Error, or
// ECodeInternal otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// ErrorMessage returns the client-safe message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "an internal error occurred"
}

// FieldCheck collects field errors so that a validator can report every bad
// field at once instead of stopping at the first.
type FieldCheck struct {
	Fields []FieldError
}

// Add records that field is bad for the given reason.
func (p *FieldCheck) Add(field, format string, args ...any) {
	p.Fields = append(p.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, and otherwise an *Error with the
// given code and every recorded field.
func (p *FieldCheck) Err(code, message string) error {
	if len(p.Fields) == 0 {
		return nil
	}
	return &Error{Code: code, Message: message, Fields: p.Fields}
}

// Empty reports whether no problem was recorded.
func (p *FieldCheck) Empty() bool { return len(p.Fields) == 0 }
