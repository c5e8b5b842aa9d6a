package domain_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudroute/cloudroute/internal/domain"
)

func TestError(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	for _, c := range []struct {
		name    string
		err     error
		text    string // Error()
		code    string // ErrorCode
		message string // ErrorMessage
	}{
		{"formatted", domain.Errorf(domain.ECodeConflict, "a %s record exists", "founders"),
			"conflict: a founders record exists", domain.ECodeConflict, "a founders record exists"},
		{"with fields", &domain.Error{Code: domain.ECodeValidation, Message: "bad", Fields: []domain.FieldError{{"a", "x"}, {"b", "y"}}},
			"validation_failed: bad (2 field errors)", domain.ECodeValidation, "bad"},
		{"with a cause", &domain.Error{Code: domain.ECodeUnavailable, Message: "retry shortly", Err: cause},
			"unavailable: retry shortly: unexpected EOF", domain.ECodeUnavailable, "retry shortly"},
		{"wrapped", fmt.Errorf("route intake: %w", domain.NotFound()),
			"route intake: not_found: the resource does not exist", domain.ECodeNotFound, "the resource does not exist"},
		{"not ours", errors.New(`pq: duplicate key value violates unique constraint "x"`),
			`pq: duplicate key value violates unique constraint "x"`, domain.ECodeInternal, "an internal error occurred"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := []string{c.err.Error(), domain.ErrorCode(c.err), domain.ErrorMessage(c.err)}
			if d := cmp.Diff([]string{c.text, c.code, c.message}, got); d != "" {
				t.Errorf("text, code, message (-want +got):\n%s", d)
			}
		})
	}
	t.Run("nil is no *Error", func(t *testing.T) {
		if got := domain.ErrorCode(nil); got != domain.ECodeInternal {
			t.Errorf("ErrorCode(nil) = %q, want %q (check err != nil first)", got, domain.ECodeInternal)
		}
	})
}

// TestErrorUnwrap: the cause stays reachable for the log, and never
// reaches the client-facing message.
func TestErrorUnwrap(t *testing.T) {
	cause := fmt.Errorf("dial tcp 127.0.0.1:5432: %w", io.EOF)
	err := fmt.Errorf("submit: %w", &domain.Error{Code: domain.ECodeUnavailable, Message: "the database is unavailable", Err: cause})
	if !errors.Is(err, io.EOF) {
		t.Error("errors.Is does not reach the cause")
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Unwrap() != cause {
		t.Errorf("Unwrap gave %v, want the cause", de.Unwrap())
	}
	if m := domain.ErrorMessage(err); m != "the database is unavailable" {
		t.Errorf("message %q leaks the cause", m)
	}
	if (&domain.Error{Code: domain.ECodeConflict}).Unwrap() != nil {
		t.Error("an error without a cause unwraps to something")
	}
}

func TestNotFoundNamesNothing(t *testing.T) {
	a, b := domain.NotFound(), domain.NotFound()
	if a == b {
		t.Error("NotFound returns a shared value that a caller could change for everyone")
	}
	if a.Code != domain.ECodeNotFound || a.Message != "the resource does not exist" || len(a.Fields) != 0 {
		t.Errorf("NotFound() = %+v", a)
	}
}

func TestFieldCheck(t *testing.T) {
	var p domain.FieldCheck
	if !p.Empty() || p.Err(domain.ECodeValidation, "bad") != nil {
		t.Fatal("an empty check reports a problem")
	}
	p.Add("name", "is required")
	p.Add("capacity", "must be between %d and %d", 0, 100000)
	if p.Empty() {
		t.Error("a check with problems is empty")
	}
	err := p.Err(domain.ECodeValidation, "the partner has invalid fields")
	want := &domain.Error{Code: domain.ECodeValidation, Message: "the partner has invalid fields",
		Fields: []domain.FieldError{{Field: "name", Message: "is required"}, {Field: "capacity", Message: "must be between 0 and 100000"}}}
	if d := cmp.Diff(error(want), err); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
