package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cloudroute/cloudroute/internal/domain"
)

// Shape limits checked before the body is decoded. They are far above what
// a real form sends (depth 3, 50 spend lines, 5 funding sources) and exist
// only so that a hostile body is refused after one cheap pass, before
// encoding/json builds anything from it. Unknown fields are held to them too.
const (
	MaxDepth      = 32
	MaxArrayItems = 200
)

// Decode parses an intake body. It is strict about shape and types and
// lenient about extras, as encoding/json is: unknown fields are ignored,
// known keys match without regard to case, and a repeated key keeps its last
// value.
//
// It returns a *domain.Error with code malformed_request (400) when the body
// is empty, not UTF-8, not a single JSON object (trailing data included),
// nested deeper than MaxDepth, holds an array longer than MaxArrayItems, or
// gives a field the wrong type: a string for a number, or a fraction such as
// 12.5 where whole dollars are expected. A type error names the field with
// its JSON path, e.g. "projected_monthly_spend[1].usd".
//
// Decode does not validate; call Validate on the result.
func Decode(data []byte) (Body, error) {
	var b Body
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(bytes.TrimSpace(trimmed)) == 0:
		return b, domain.Errorf(domain.ECodeMalformed, "the body is empty; a JSON object is expected")
	case !utf8.Valid(data):
		return b, domain.Errorf(domain.ECodeMalformed, "the body is not valid UTF-8")
	case trimmed[0] != '{':
		return b, domain.Errorf(domain.ECodeMalformed, "the body must be a JSON object")
	}
	if err := checkShape(data); err != nil {
		return b, err
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return Body{}, decodeError(data, err)
	}
	return b, nil
}

// decodeError turns an encoding/json error into a malformed_request error
// that names the field when it can, and says nothing about Go types.
func decodeError(data []byte, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := typeErrorPath(data, te)
		return &domain.Error{
			Code:    domain.ECodeMalformed,
			Message: "a field has the wrong type",
			Fields:  []domain.FieldError{{Field: field, Message: "must be " + kindName(te.Type)}},
		}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return domain.Errorf(domain.ECodeMalformed, "the body is not valid JSON: %s (at byte %d)", se.Error(), se.Offset)
	}
	return domain.Errorf(domain.ECodeMalformed, "the body is not valid JSON")
}

// typeErrorPath names the field of a type error with array indices, which
// encoding/json leaves out ("projected_monthly_spend.usd"). The structural
// scan gives the indices; encoding/json's Field gives the canonical key
// names (the client may have sent "USD": keys match case-insensitively).
func typeErrorPath(data []byte, te *json.UnmarshalTypeError) string {
	if te.Field == "" {
		return "body"
	}
	canon := strings.Split(te.Field, ".")
	path := pathAt(data, int(te.Offset)-1)
	keys := 0
	for _, c := range path {
		if c.key != nil {
			keys++
		}
	}
	if keys != len(canon) {
		return te.Field
	}
	k := 0
	for i := range path {
		if path[i].key != nil {
			path[i].key = []byte(canon[k])
			k++
		}
	}
	return formatPath(path)
}

// kindName says what JSON a Go type expects, in the client's terms.
func kindName(t reflect.Type) string {
	if t == nil {
		return "of another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

// component is one step of a JSON path: an object key (raw, as sent) or an
// array index.
type component struct {
	key   []byte
	index int
}

// frame is one open container during the structural scan.
type frame struct {
	array     bool
	index     int    // array: index of the element being read
	expectKey bool   // object: the next string is a key
	key       []byte // object: raw key of the member being read
}

// scanner walks the structure of a JSON text without building values:
// brackets, commas, colons and strings (so that brackets inside strings are
// not counted). It tolerates invalid JSON; encoding/json reports that later.
type scanner struct {
	data  []byte
	stack []frame
}

// walk scans up to (not including) byte stop, or to the end when stop < 0,
// and returns the first shape limit broken.
func (s *scanner) walk(stop int) *domain.Error {
	data := s.data
	if stop < 0 || stop > len(data) {
		stop = len(data)
	}
	for i := 0; i < stop; i++ {
		switch c := data[i]; c {
		case '"':
			start := i + 1
			end := skipString(data, start)
			if n := len(s.stack); n > 0 && !s.stack[n-1].array && s.stack[n-1].expectKey {
				s.stack[n-1].key = data[start:end]
			}
			if end >= stop {
				return nil // stop fell inside the string: it is the value there
			}
			i = end
		case '{', '[':
			if len(s.stack) >= MaxDepth {
				return s.limitError(fmt.Sprintf("nests deeper than %d levels", MaxDepth), false)
			}
			s.stack = append(s.stack, frame{array: c == '[', expectKey: c == '{'})
		case '}', ']':
			if len(s.stack) == 0 {
				return nil // unbalanced: invalid JSON, reported by the decoder
			}
			s.stack = s.stack[:len(s.stack)-1]
		case ':':
			if n := len(s.stack); n > 0 && !s.stack[n-1].array {
				s.stack[n-1].expectKey = false
			}
		case ',':
			n := len(s.stack)
			if n == 0 {
				continue
			}
			top := &s.stack[n-1]
			if !top.array {
				top.expectKey = true
				continue
			}
			top.index++
			if top.index >= MaxArrayItems {
				return s.limitError(fmt.Sprintf("holds more than %d items", MaxArrayItems), true)
			}
		}
	}
	return nil
}

// skipString returns the index of the quote closing the string whose
// contents start at start, or len(data) when it is not closed.
func skipString(data []byte, start int) int {
	for i := start; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data)
}

// path is the location the scan has reached.
func (s *scanner) path() []component {
	out := make([]component, 0, len(s.stack))
	for _, f := range s.stack {
		if f.array {
			out = append(out, component{index: f.index})
		} else {
			out = append(out, component{key: f.key})
		}
	}
	return out
}

// limitError names where a shape limit was broken. Each frame contributes
// the key or index it is reading, so the path of the container being read
// is every frame but the last. Too deep a nesting names only the top-level
// field: its full path would be the 32 levels the client got wrong.
func (s *scanner) limitError(why string, whole bool) *domain.Error {
	field := "body"
	p := s.path()
	switch {
	case !whole && len(p) > 0 && p[0].key != nil:
		field = formatPath(p[:1])
	case whole && len(p) > 1:
		field = formatPath(p[:len(p)-1])
	}
	return &domain.Error{
		Code:    domain.ECodeMalformed,
		Message: "the body is too deeply nested or too large",
		Fields:  []domain.FieldError{{Field: field, Message: why}},
	}
}

// checkShape refuses a body that nests deeper than MaxDepth or holds an
// array longer than MaxArrayItems, in one pass and without allocating per
// value.
func checkShape(data []byte) error {
	s := scanner{data: data, stack: make([]frame, 0, 8)}
	if err := s.walk(-1); err != nil {
		return err
	}
	return nil
}

// pathAt returns the path of the value at byte offset off.
func pathAt(data []byte, off int) []component {
	if off < 0 {
		return nil
	}
	s := scanner{data: data}
	s.walk(off)
	return s.path()
}

// maxPathLen caps a field path quoted back to the client.
const maxPathLen = 256

// formatPath writes a path as "a.b[2].c", with keys as the client sent
// them (JSON escapes decoded where possible).
func formatPath(p []component) string {
	var sb strings.Builder
	for _, c := range p {
		if c.key == nil {
			sb.WriteString("[" + strconv.Itoa(c.index) + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(unquoteKey(c.key))
		if sb.Len() > maxPathLen {
			break
		}
	}
	out := sb.String()
	if len(out) > maxPathLen {
		out = strings.ToValidUTF8(out[:maxPathLen], "") + "…"
	}
	if out == "" {
		return "body"
	}
	return out
}

func unquoteKey(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s); err != nil {
		return string(raw)
	}
	return s
}
