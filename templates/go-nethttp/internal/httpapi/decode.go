package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
)

// maxBodyBytes is the largest request body accepted (1 MiB); more is 413.
const maxBodyBytes = 1 << 20

// decodeJSON reads a JSON object from r into dst. On failure it has already
// answered (400 malformed, 413 too large, 422 wrong types) and returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if r.ContentLength > maxBodyBytes {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body must not exceed %d bytes.", maxBodyBytes))
		return false
	}
	// Read everything first, so a huge body is 413 even when its first
	// bytes are already invalid JSON.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeProblem(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body must not exceed %d bytes.", maxBodyBytes))
			return false
		}
		writeProblem(w, r, http.StatusBadRequest, "The request body could not be read.")
		return false
	}
	if !json.Valid(body) {
		writeProblem(w, r, http.StatusBadRequest, "The request body is not valid JSON.")
		return false
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		writeProblem(w, r, http.StatusUnprocessableEntity, "The request body must be a JSON object.")
		return false
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			writeProblem(w, r, http.StatusUnprocessableEntity, "A field has the wrong type.",
				fieldError{Field: typeErr.Field, Message: "must be " + jsonTypeName(typeErr.Type)})
			return false
		}
		writeProblem(w, r, http.StatusUnprocessableEntity, "The request body does not have the expected shape.")
		return false
	}
	return true
}

// jsonTypeName says which JSON type a Go field expects, for error messages.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	default:
		return "of another type"
	}
}

// optional is a JSON field that can be absent, null or a value: PATCH needs
// all three (absent = keep, null = clear or invalid, value = set).
type optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON runs only when the key is present, null included.
func (o *optional[T]) UnmarshalJSON(data []byte) error {
	o.Set = true
	if string(data) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(data, &o.Value)
}
