package acesim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"

	pc "github.com/cloudroute/cloudroute/internal/partnercentral"
)

// apiError is an error answer in the awsJson1_0 shape: the status, the
// X-Amzn-ErrorType header and a body with "__type" and "Message", plus the
// members of the error's shape (ValidationException's Reason and
// ErrorList, AccessDeniedException's Reason).
type apiError struct {
	status    int
	typ       string
	message   string
	reason    string
	errorList []pc.ValidationExceptionError
	// modelled errors carry the service's namespace in __type, as AWS
	// sends them; the authentication errors of the AWS front door do not.
	modelled bool
}

func (e *apiError) Error() string { return e.typ + ": " + e.message }

const namespace = "com.amazonaws.partnercentralselling#"

func validation(reason string, list []pc.ValidationExceptionError, msg string) *apiError {
	return &apiError{status: 400, typ: "ValidationException", message: msg, reason: reason, errorList: list, modelled: true}
}

// fieldErrors turns pre-flight findings into the ValidationException the
// service answers with: Reason REQUEST_VALIDATION_FAILED when any breaks
// the model's constraints, BUSINESS_VALIDATION_FAILED otherwise.
func fieldErrors(errs []pc.FieldError) *apiError {
	list := make([]pc.ValidationExceptionError, len(errs))
	for i, e := range errs {
		list[i] = pc.ValidationExceptionError{FieldName: e.Field, Message: e.Message, Code: e.Code}
	}
	return validation(pc.ValidationReason(errs), list, "The request failed validation. See ErrorList for the fields.")
}

func businessError(field, code, msg string) *apiError {
	return validation(pc.ReasonBusinessValidationFailed,
		[]pc.ValidationExceptionError{{FieldName: field, Message: msg, Code: code}}, msg)
}

func conflict(msg string) *apiError {
	return &apiError{status: 409, typ: "ConflictException", message: msg, modelled: true}
}

func notFound(msg string) *apiError {
	return &apiError{status: 404, typ: "ResourceNotFoundException", message: msg, modelled: true}
}

func throttled() *apiError {
	return &apiError{status: 429, typ: "ThrottlingException", message: "Rate exceeded", modelled: true}
}

func internal() *apiError {
	return &apiError{status: 500, typ: "InternalServerException", message: "An internal error occurred. Try again.", modelled: true}
}

func quotaExceeded() *apiError {
	return &apiError{status: 402, typ: "ServiceQuotaExceededException", message: "The daily write quota of this catalog is used up.", modelled: true}
}

func accessDenied(msg string) *apiError {
	return &apiError{status: 403, typ: "AccessDeniedException", message: msg, modelled: true}
}

// The AWS front door's authentication errors, which the model does not
// list.
func authError(typ, msg string) *apiError {
	return &apiError{status: 403, typ: typ, message: msg}
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"Message": e.message}
	if e.modelled {
		body["__type"] = namespace + e.typ
	} else {
		body["__type"] = e.typ
	}
	if e.reason != "" {
		body["Reason"] = e.reason
	}
	if e.errorList != nil {
		body["ErrorList"] = e.errorList
	}
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = 500, []byte(`{"__type":"`+namespace+`InternalServerException","Message":"encode"}`)
	}
	w.Header().Set("Content-Type", pc.ContentType)
	w.Header().Set("X-Amzn-RequestId", requestID())
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
