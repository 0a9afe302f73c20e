// The seed document is read strictly: unknown, duplicate or differently cased keys are errors, and
// errors name the line and column (or the JSON path) where the document went wrong.

package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

func parseSeed(data []byte) (*Seed, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty document")
	}
	// The key walk runs first: encoding/json matches field names case-insensitively, keeps the last
	// of duplicate keys and reports unknown fields without a position. The walk rejects all three
	// with a line and column.
	if err := checkJSONKeys(data, reflect.TypeFor[Seed]()); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return nil, positionedJSONError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := lineCol(data, dec.InputOffset())
		return nil, fmt.Errorf("line %d, column %d: unexpected data after the seed document", line, col)
	}
	if err := seed.validate(); err != nil {
		return nil, err
	}
	return &seed, nil
}

func positionedJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset)
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	case errors.As(err, &te):
		line, col := lineCol(data, te.Offset)
		return fmt.Errorf("line %d, column %d: %s: expected %s, found JSON %s", line, col, te.Field, te.Type, te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("unexpected end of document")
	}
	return err
}

// checkJSONKeys walks data and verifies every object key against the json tags of the struct type
// expected at that position.
func checkJSONKeys(data []byte, t reflect.Type) error {
	w := keyWalker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	return w.value(t, "")
}

type keyWalker struct {
	data []byte
	dec  *json.Decoder
}

// value consumes one JSON value. t is the Go type expected there, or nil when the value is not
// checked (the decoder reports type mismatches itself).
func (w *keyWalker) value(t reflect.Type, path string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return positionedJSONError(w.data, err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch delim {
	case '{':
		if t != nil && t.Kind() != reflect.Struct {
			t = nil
		}
		seen := map[string]bool{}
		for w.dec.More() {
			keyOff := w.keyOffset()
			tok, err := w.dec.Token()
			if err != nil {
				return positionedJSONError(w.data, err)
			}
			key, _ := tok.(string)
			var ft reflect.Type
			if t != nil {
				f, ok := fieldByJSONName(t, key)
				if !ok {
					line, col := lineCol(w.data, keyOff)
					return fmt.Errorf("line %d, column %d: unknown field %q in %s (known fields: %s)",
						line, col, key, displayPath(path), strings.Join(jsonNames(t), ", "))
				}
				if seen[key] {
					line, col := lineCol(w.data, keyOff)
					return fmt.Errorf("line %d, column %d: duplicate field %q in %s", line, col, key, displayPath(path))
				}
				seen[key] = true
				ft = f.Type
			}
			if err := w.value(ft, joinPath(path, key)); err != nil {
				return err
			}
		}
	case '[':
		var et reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			et = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(et, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing delimiter
		return positionedJSONError(w.data, err)
	}
	return nil
}

// keyOffset returns the offset of the next object key: InputOffset stops before the separating
// whitespace and comma.
func (w *keyWalker) keyOffset() int64 {
	off := w.dec.InputOffset()
	for off < int64(len(w.data)) && strings.IndexByte(" \t\r\n,", w.data[off]) >= 0 {
		off++
	}
	return off
}

func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.IsExported() && jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			names = append(names, jsonName(f))
		}
	}
	return names
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return path
}
