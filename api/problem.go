package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	domain.ECodeMalformed:            http.StatusBadRequest,
	domain.ECodeUnauthenticated:      http.StatusUnauthorized,
	domain.ECodeForbidden:            http.StatusForbidden,
	domain.ECodeTierNotPermitted:     http.StatusForbidden,
	domain.ECodeNotFound:             http.StatusNotFound,
	domain.ECodeDuplicateIntake:      http.StatusConflict,
	domain.ECodeDuplicateFiling:      http.StatusConflict,
	domain.ECodeInvalidTransition:    http.StatusConflict,
	domain.ECodeConflict:             http.StatusConflict,
	domain.ECodeIdempotencyReused:    http.StatusConflict,
	domain.ECodePayloadTooLarge:      http.StatusRequestEntityTooLarge,
	domain.ECodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	domain.ECodeValidation:           http.StatusUnprocessableEntity,
	domain.ECodeIncompleteRecord:     http.StatusUnprocessableEntity,
	domain.ECodeAmountOutOfRange:     http.StatusUnprocessableEntity,
	domain.ECodeStackCeiling:         http.StatusUnprocessableEntity,
	domain.ECodeRateLimited:          http.StatusTooManyRequests,
	domain.ECodeUnavailable:          http.StatusServiceUnavailable,
	domain.ECodeInternal:             http.StatusInternalServerError,
}

var titleOf = map[string]string{
	domain.ECodeMalformed:            "Malformed request",
	domain.ECodeUnauthenticated:      "Unauthenticated",
	domain.ECodeForbidden:            "Forbidden",
	domain.ECodeTierNotPermitted:     "Tier not permitted",
	domain.ECodeNotFound:             "Not found",
	domain.ECodeDuplicateIntake:      "Duplicate intake",
	domain.ECodeDuplicateFiling:      "Duplicate filing",
	domain.ECodeInvalidTransition:    "Invalid transition",
	domain.ECodeConflict:             "Conflict",
	domain.ECodeIdempotencyReused:    "Idempotency key reused",
	domain.ECodePayloadTooLarge:      "Payload too large",
	domain.ECodeUnsupportedMediaType: "Unsupported media type",
	domain.ECodeValidation:           "Validation failed",
	domain.ECodeIncompleteRecord:     "Incomplete record",
	domain.ECodeAmountOutOfRange:     "Amount out of range",
	domain.ECodeStackCeiling:         "Stacked ceiling exceeded",
	domain.ECodeRateLimited:          "Too many requests",
	domain.ECodeUnavailable:          "Service unavailable",
	domain.ECodeInternal:             "Internal error",
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string              `json:"type"`
	Title    string              `json:"title"`
	Status   int                 `json:"status"`
	Detail   string              `json:"detail"`
	Code     string              `json:"code"`
	Instance string              `json:"instance,omitempty"`
	Errors   []domain.FieldError `json:"errors,omitempty"`
}

const problemTypeBase = "https://cloudroute.io/problems/"

// respondError writes err as a problem document. An error that is not a
// *domain.Error is logged in full and sent as a generic 500: nothing
// internal reaches the client.
func respondError(c *gin.Context, err error) {
	var de *domain.Error
	if !errors.As(err, &de) {
		if isUnavailable(err) {
			de = domain.Errorf(domain.ECodeUnavailable, "a backing service is unavailable; retry shortly")
		} else {
			de = domain.Errorf(domain.ECodeInternal, "an internal error occurred")
		}
		logFrom(c).Error("request failed", "err", err.Error())
	}
	status, ok := statusOf[de.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="cloudroute"`)
	}
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	p := Problem{
		Type: problemTypeBase + de.Code, Title: titleOf[de.Code], Status: status,
		Detail: de.Message, Code: de.Code, Instance: c.Request.URL.Path, Errors: de.Fields,
	}
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p Problem) {
	b, _ := json.Marshal(p)
	c.Abort()
	c.Data(p.Status, "application/problem+json", b)
}

// isUnavailable reports whether err is a lost connection to Postgres or
// Redis, which is a 503 rather than a 500.
func isUnavailable(err error) bool {
	s := err.Error()
	for _, m := range []string{"connection refused", "bad connection", "broken pipe", "connection reset", "i/o timeout",
		"the database system is", "terminating connection", "driver: bad connection", "EOF", "no such host", "context deadline exceeded"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// readBody reads the whole body: a body over the limit is 413, one that
// cannot be read (a broken or aborted upload) is 400.
func readBody(c *gin.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, domain.Errorf(domain.ECodePayloadTooLarge, "the body is larger than %d bytes", mbe.Limit)
		}
		return nil, domain.Errorf(domain.ECodeMalformed, "the body could not be read")
	}
	return body, nil
}

// bindJSON decodes the body into dst. A body too large is 413, a body that
// is not JSON or has wrong types is 400 naming the field. Unknown fields are
// ignored.
func bindJSON(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSON(body, dst)
}

// bindOptionalJSON is bindJSON for endpoints whose body may be left out: an
// empty (or blank) body leaves dst as it is.
func bindOptionalJSON(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeJSON(body, dst)
}

// decodeJSON decodes one JSON document into dst, with the error mapping of
// bindJSON.
func decodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Errorf(domain.ECodeMalformed, "the body is empty; a JSON object is expected")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return &domain.Error{Code: domain.ECodeMalformed, Message: "a field has the wrong type",
				Fields: []domain.FieldError{{Field: field, Message: "must be " + jsonKind(te.Type.Kind().String())}}}
		}
		return domain.Errorf(domain.ECodeMalformed, "the body is not valid JSON")
	}
	if dec.More() {
		return domain.Errorf(domain.ECodeMalformed, "the body holds more than one JSON value")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "int32", "uint", "uint64":
		return "an integer"
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}
