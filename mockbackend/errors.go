package mockbackend

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

const contentTypeJSON = "application/json"

// apiError is the JSON error body every route returns, shaped after RFC 9457
// problem details plus the name of the offending field.
type apiError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
}

func errorBody(code int, field, detail string) []byte {
	b, _ := json.Marshal(apiError{Status: code, Title: http.StatusText(code), Detail: detail, Field: field})
	return append(b, '\n')
}

// writeError writes a JSON error. field names the request field at fault
// ("" when none); detail says what was wrong and what is valid.
func writeError(w http.ResponseWriter, code int, field, detail string) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	w.WriteHeader(code)
	_, _ = w.Write(errorBody(code, field, detail))
}

// writeJSON marshals v and writes it with code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "", "encode response: "+err.Error())
		return
	}
	writeRawJSON(w, code, b)
}

// writeRawJSON writes already-encoded JSON; net/http adds Content-Length
// itself for bodies this small.
func writeRawJSON(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// fieldError is a decoding or validation failure of one request field.
type fieldError struct {
	Field string
	Msg   string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Msg }

func badField(field, format string, args ...any) *fieldError {
	return &fieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// readBody reads the (size-capped) request body. It writes 413 or 400 itself
// and reports false when the handler must stop.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "body", fmt.Sprintf("exceeds the %d-byte limit", mbe.Limit))
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "body", "read: "+err.Error())
		return nil, false
	}
	return b, true
}

// decodeObject unmarshals a JSON object into v, mapping failures to the field
// at fault. Unknown fields are accepted, as the real services do.
func decodeObject(b []byte, v any) error {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 {
		return badField("body", "is empty; a JSON object is required")
	}
	if t[0] != '{' {
		return badField("body", "must be a JSON object")
	}
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return badField("body", "invalid JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return badField(field, "must be %s, got JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
	default:
		return badField("body", "%v", err)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "uint32":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a " + goKind
}

// writeFieldError writes a 400 for a *fieldError, or 500 for anything else.
func writeFieldError(w http.ResponseWriter, err error) {
	var fe *fieldError
	if errors.As(err, &fe) {
		writeError(w, http.StatusBadRequest, fe.Field, fe.Msg)
		return
	}
	writeError(w, http.StatusInternalServerError, "", err.Error())
}
