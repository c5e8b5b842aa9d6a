package ace_test

import (
	"errors"
	"testing"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// code returns "" for nil and the code of a *domain.Error otherwise; an
// untyped error fails the test, because the HTTP layer would turn it into a
// 500.
func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	return e.Code
}

// fieldsOf returns the field paths named by err, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *domain.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *domain.Error", err, err)
	}
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return names
}
