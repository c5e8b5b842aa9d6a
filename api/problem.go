package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// problemKind is what a client sees for an error code: the HTTP status and
// the problem document's title.
type problemKind struct {
	status int
	title  string
}

// problemKinds is the one table from error code to status and title.
var problemKinds = map[string]problemKind{
	domain.ECodeMalformed:            {http.StatusBadRequest, "Malformed request"},
	domain.ECodeUnauthenticated:      {http.StatusUnauthorized, "Unauthenticated"},
	domain.ECodeForbidden:            {http.StatusForbidden, "Forbidden"},
	domain.ECodeTierNotPermitted:     {http.StatusForbidden, "Tier not permitted"},
	domain.ECodeNotFound:             {http.StatusNotFound, "Not found"},
	domain.ECodeMethodNotAllowed:     {http.StatusMethodNotAllowed, "Method not allowed"},
	domain.ECodeDuplicateIntake:      {http.StatusConflict, "Duplicate intake"},
	domain.ECodeDuplicateFiling:      {http.StatusConflict, "Duplicate filing"},
	domain.ECodeInvalidTransition:    {http.StatusConflict, "Invalid transition"},
	domain.ECodeConflict:             {http.StatusConflict, "Conflict"},
	domain.ECodeIdempotencyReused:    {http.StatusConflict, "Idempotency key reused"},
	domain.ECodePayloadTooLarge:      {http.StatusRequestEntityTooLarge, "Payload too large"},
	domain.ECodeUnsupportedMediaType: {http.StatusUnsupportedMediaType, "Unsupported media type"},
	domain.ECodeValidation:           {http.StatusUnprocessableEntity, "Validation failed"},
	domain.ECodeIncompleteRecord:     {http.StatusUnprocessableEntity, "Incomplete record"},
	domain.ECodeAmountOutOfRange:     {http.StatusUnprocessableEntity, "Amount out of range"},
	domain.ECodeStackCeiling:         {http.StatusUnprocessableEntity, "Stacked ceiling exceeded"},
	domain.ECodeRateLimited:          {http.StatusTooManyRequests, "Too many requests"},
	domain.ECodeUnavailable:          {http.StatusServiceUnavailable, "Service unavailable"},
	domain.ECodeInternal:             {http.StatusInternalServerError, "Internal error"},
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
		de = domain.Errorf(domain.ECodeInternal, "an internal error occurred")
	}
	if de.Code == domain.ECodeInternal || de.Err != nil {
		// What went wrong inside (a driver error, a lost connection) goes
		// to the log only.
		logFrom(c).Error("request failed", "code", de.Code, "err", err.Error())
	}
	kind, ok := problemKinds[de.Code]
	if !ok {
		kind = problemKinds[domain.ECodeInternal]
	}
	if kind.status == http.StatusUnauthorized {
		c.Header("WWW-Authenticate", `Bearer realm="cloudroute"`)
	}
	if kind.status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	writeProblem(c, Problem{
		Type: problemTypeBase + de.Code, Title: kind.title, Status: kind.status,
		Detail: de.Message, Code: de.Code, Instance: c.Request.URL.Path, Errors: de.Fields,
	})
}

func writeProblem(c *gin.Context, p Problem) {
	b, _ := json.Marshal(p)
	c.Abort()
	c.Data(p.Status, "application/problem+json", b)
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
