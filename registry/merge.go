package registry

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Fields is a registry row as sync carries it: each field's value as JSON.
// Lists (residences, documents, ...) are one field each.
type Fields map[string]json.RawMessage

// FieldConflict is a field two edits changed two ways since their common
// base: a clerk chooses.
type FieldConflict struct {
	Field  string          `json:"field"`
	Base   json.RawMessage `json:"base"`
	Mine   json.RawMessage `json:"mine"`   // the value the desk's edit wrote
	Theirs json.RawMessage `json:"theirs"` // the value the server holds
}

// Merge is the three-way merge of an edit: base is the row as the editor saw
// it (nil for a row the edit created), mine the row after the edit, theirs
// the row as it is now (nil when it does not exist yet). A field only one
// side changed takes that side's value; a field both changed the same way
// is fine; a field both changed two ways keeps theirs and is a conflict.
// It returns the merged row, the fields the edit changed and applied,
// and the conflicts.
func Merge(base, mine, theirs Fields) (merged Fields, applied []string, conflicts []FieldConflict) {
	merged = make(Fields, len(mine))
	for k, v := range theirs {
		merged[k] = v
	}
	for _, k := range sortedKeys(mine) {
		m := mine[k]
		b, inBase := base[k]
		t, inTheirs := theirs[k]
		switch {
		case inTheirs && SameJSON(m, t):
			// both agree (or nothing changed)
		case !inTheirs || (inBase && SameJSON(b, t)):
			merged[k] = m
			applied = append(applied, k)
		case inBase && SameJSON(b, m):
			// only theirs changed
		default:
			conflicts = append(conflicts, FieldConflict{Field: k, Base: b, Mine: m, Theirs: t})
		}
	}
	return merged, applied, conflicts
}

// SameJSON reports whether two JSON values are equal as values: key order
// and spacing do not count, a missing value equals null.
func SameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	return bytes.Equal(CanonicalJSON(a), CanonicalJSON(b))
}

// CanonicalJSON rewrites v with sorted keys and no spaces; nil and invalid
// JSON become null.
func CanonicalJSON(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	var x any
	if err := json.Unmarshal(v, &x); err != nil {
		return json.RawMessage("null")
	}
	out, err := json.Marshal(x)
	if err != nil {
		return json.RawMessage("null")
	}
	return out
}

func sortedKeys(f Fields) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
