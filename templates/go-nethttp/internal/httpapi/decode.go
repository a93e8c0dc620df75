package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
)

// maxBodyBytes is the largest request body accepted (1 MiB); more is 413.
const maxBodyBytes = 1 << 20

// decodeJSON reads a JSON object from r into dst, a pointer to a struct
// whose fields carry `json` tags. On failure it has already answered (415
// not JSON, 413 too large, 400 malformed, 422 wrong shape or types) and
// returns false.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if !isJSONMediaType(r.Header.Get("Content-Type")) {
		writeProblem(w, r, http.StatusUnsupportedMediaType, "The request body must be JSON, sent with Content-Type: application/json.")
		return false
	}
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
	// encoding/json matches keys case-insensitively ("TITLE" would fill
	// Title); the contract's keys are exact, so keep only those.
	var object map[string]json.RawMessage
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &object) != nil {
		writeProblem(w, r, http.StatusUnprocessableEntity, "The request body must be a JSON object.")
		return false
	}
	known := jsonKeys(reflect.TypeOf(dst).Elem())
	for key := range object {
		if !known[key] {
			delete(object, key) // unknown fields are ignored
		}
	}
	exact, err := json.Marshal(object)
	if err == nil {
		err = json.Unmarshal(exact, dst)
	}
	if err != nil {
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

// isJSONMediaType accepts application/json and any application/*+json,
// with or without parameters such as charset.
func isJSONMediaType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mediaType == "application/json" || (strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// jsonKeys is the set of JSON keys the struct type t decodes.
func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
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

// optional is a JSON field that can be absent, null or a value: the
// handlers need all three (absent = keep or default, null = clear or
// invalid, value = set), since a plain pointer cannot tell absent from null.
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
