package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sportello/registry"
)

// Search limits.
const (
	DefaultSearchLimit = 50
	MaxSearchLimit     = 500
	maxSearchWords     = 8
)

// keyMax sorts after every search key: keys are valid UTF-8 made of letters
// and digits, and U+10FFFF is neither.
const keyMax = "\U0010FFFF"

// prefixEnd is the least string greater than every string that starts with
// p, for a range scan key >= p AND key < prefixEnd(p). Keys are valid UTF-8,
// which has no 0xFF byte, so the last byte never overflows.
func prefixEnd(p string) string {
	if p == "" {
		return keyMax
	}
	b := []byte(p)
	b[len(b)-1]++
	return string(b)
}

// The search statements. Stage 1 reads the (surname_key, name_key,
// birth_date) index in order, so LIMIT stops the scan early, or the births
// of the day when a date narrows; stage 2 asks the full-text index for
// words in any order.
const (
	searchColumns = `p.id, p.cf, p.surname, p.name, p.birth_date, p.status, p.surname_key, p.name_key`

	searchExactSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_search
WHERE p.surname_key = ?1 AND p.name_key >= ?2 AND p.name_key < ?3
ORDER BY p.name_key, p.birth_date, p.id LIMIT ?4`

	searchLongerSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_search
WHERE p.surname_key > ?1 AND p.surname_key < ?2 AND p.name_key >= ?3 AND p.name_key < ?4
ORDER BY p.surname_key, p.name_key, p.birth_date, p.id LIMIT ?5`

	// A day has a few hundred births in the largest register: reading them
	// all and sorting them costs less than any index on the names would.
	searchExactDateSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_birth
WHERE p.birth_date = ?5 AND p.surname_key = ?1 AND p.name_key >= ?2 AND p.name_key < ?3
ORDER BY p.name_key, p.id LIMIT ?4`

	searchLongerDateSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_birth
WHERE p.birth_date = ?6 AND p.surname_key > ?1 AND p.surname_key < ?2 AND p.name_key >= ?3 AND p.name_key < ?4
ORDER BY p.surname_key, p.name_key, p.id LIMIT ?5`

	// A surname prefix with a name after it ("ross mar") reads the range of
	// longer surnames filtering the name: fine while the range is small,
	// slow when it holds tens of thousands of persons and few of the name
	// ("de marco raffaele" read as surname DE*). Past skipScanFrom persons
	// the search walks the range's distinct surnames instead, one index seek
	// each, counting the persons with the name until it has enough, then
	// reads those surnames only.
	searchRangeSizeSQL = `SELECT count(*) FROM (SELECT 1 FROM person INDEXED BY person_search
WHERE surname_key > ?1 AND surname_key < ?2 LIMIT ?3)`

	searchSurnamesSQL = `WITH RECURSIVE s(k, before) AS (
    SELECT (SELECT min(surname_key) FROM person INDEXED BY person_search WHERE surname_key > ?1 AND surname_key < ?2), 0
    UNION ALL
    SELECT (SELECT min(surname_key) FROM person INDEXED BY person_search WHERE surname_key > s.k AND surname_key < ?2),
           s.before + (SELECT count(*) FROM (SELECT 1 FROM person INDEXED BY person_search
                       WHERE surname_key = s.k AND name_key >= ?3 AND name_key < ?4 LIMIT ?5))
    FROM s WHERE s.k IS NOT NULL AND s.before < ?5
)
SELECT k, before FROM s`

	searchInSurnamesSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_search
WHERE p.surname_key IN (SELECT value FROM json_each(?1)) AND p.name_key >= ?2 AND p.name_key < ?3
ORDER BY p.surname_key, p.name_key, p.birth_date, p.id LIMIT ?4`

	searchCFSQL = `SELECT ` + searchColumns + ` FROM person p INDEXED BY person_cf_base
WHERE p.cf_base = ?1 AND (?2 = '' OR p.birth_date = ?2)
ORDER BY p.cf = ?3 DESC, p.surname_key, p.name_key, p.birth_date, p.id LIMIT ?4`

	// Words longer than the longest prefix index are asked for by their
	// first ftsPrefixMax letters, which the index answers lazily in row
	// order; ?2 then holds the whole words (a JSON array), each of which
	// must start a word of the surname or name.
	searchFTSSQL = `SELECT ` + searchColumns + ` FROM person_fts f JOIN person p ON p.id = f.rowid
WHERE person_fts MATCH ?1 AND (?3 = '' OR p.birth_date = ?3)
AND NOT EXISTS (SELECT 1 FROM json_each(?2) w WHERE instr(' ' || p.surname_fts || ' ' || p.name_fts, ' ' || w.value) = 0)
LIMIT ?4`

	// Current address lines of a batch of persons, given as a JSON array of ids.
	searchAddressSQL = `SELECT pa.person_id, a.toponym, a.street, a.house_number, a.internal
FROM json_each(?1) j JOIN person_address pa ON pa.person_id = j.value JOIN address a ON a.id = pa.address_id`
)

// candidate is a match with what it is ranked by.
type candidate struct {
	m          registry.Match
	tier       int // 0: surname equal to the words' surname part; 1: longer surname; 2: full-text
	skey, nkey string
}

func compareCandidates(a, b candidate) int {
	return cmp.Or(
		cmp.Compare(a.tier, b.tier),
		strings.Compare(a.skey, b.skey),
		strings.Compare(a.nkey, b.nkey),
		a.m.BirthDate.Compare(b.m.BirthDate),
		cmp.Compare(a.m.ID, b.m.ID),
	)
}

// Search finds persons, best matches first (see registry.Query). A codice
// fiscale finds the persons whose code has the same base (an omocode and its
// base find each other), the exact code first. Words are read as surname
// then name prefixes at every split ("de luca mario": surname DE + name
// LUCAMARIO, surname DELUCA + name MARIO, surname DELUCAMARIO); surnames
// equal to the surname part come before longer ones, each in surname, name,
// birth date order. When that gives fewer than limit persons and no surname
// equals the surname part, words in any order and column complete the list
// (full-text prefixes: "mario rossi" finds Rossi Mario). A birth date
// narrows any of these, or alone lists who was born that day. An empty query
// finds nothing; limit <= 0 means DefaultSearchLimit, and it is capped at
// MaxSearchLimit.
func (s *Store) Search(ctx context.Context, q registry.Query, limit int) ([]registry.Match, error) {
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	words := searchWords(q.Words)
	if q.CF == "" && len(words) == 0 && q.BirthDate.IsZero() {
		return nil, nil
	}
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer tx.Rollback()
	var found []candidate
	if q.CF != "" {
		found, err = searchCF(ctx, tx, q, limit)
	} else {
		found, err = searchWordsDate(ctx, tx, words, q.BirthDate.String(), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out, err := withAddresses(ctx, tx, found)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return out, tx.Commit()
}

// searchWords turns the query words into search keys, dropping empty ones
// and any past maxSearchWords.
func searchWords(in []string) []string {
	var out []string
	for _, w := range in {
		if k := registry.SearchKey(w); k != "" && len(out) < maxSearchWords {
			out = append(out, k)
		}
	}
	return out
}

func searchCF(ctx context.Context, tx *sql.Tx, q registry.Query, limit int) ([]candidate, error) {
	cf := strings.ToUpper(q.CF)
	base := q.CFBase
	if base == "" {
		base = registry.OmocodeBase(cf)
	}
	return collect(ctx, tx, nil, 0, searchCFSQL, base, q.BirthDate.String(), cf, limit)
}

func searchWordsDate(ctx context.Context, tx *sql.Tx, words []string, date string, limit int) ([]candidate, error) {
	seen := make(map[int64]bool)
	var found []candidate
	var err error
	exact := false
	// Stage 1: surnames equal to the surname part, then longer ones.
	for tier := range 2 {
		for k := 1; k <= max(1, len(words)); k++ {
			surname := strings.Join(words[:min(k, len(words))], "")
			name := strings.Join(words[min(k, len(words)):], "")
			switch {
			case tier == 0 && surname == "":
				// a date alone: every surname is "longer" than ""
			case tier == 0 && date == "":
				found, err = collect(ctx, tx, found, tier, searchExactSQL, surname, name, prefixEnd(name), limit)
			case tier == 0:
				found, err = collect(ctx, tx, found, tier, searchExactDateSQL, surname, name, prefixEnd(name), limit, date)
			case date == "" && name != "":
				found, err = collectLonger(ctx, tx, found, surname, name, limit)
			case date == "":
				found, err = collect(ctx, tx, found, tier, searchLongerSQL, surname, prefixEnd(surname), name, prefixEnd(name), limit)
			default:
				found, err = collect(ctx, tx, found, tier, searchLongerDateSQL, surname, prefixEnd(surname), name, prefixEnd(name), limit, date)
			}
			if err != nil {
				return nil, err
			}
		}
		found = best(found, seen, limit)
		if len(found) >= limit {
			return found, nil
		}
		if tier == 0 && len(found) > 0 {
			exact = true
		}
	}
	// Stage 2: every word a prefix in any column, in row order; only when
	// no surname equals the words' surname part. When one does, the clerk
	// typed surname then name, and words anywhere would only pad the page
	// with people whose name shares a word with that surname (and cost a
	// pass over the rarest word's full-text entries, milliseconds on a
	// large register).
	match, long := ftsMatch(words)
	if match == "" || exact {
		return found, nil
	}
	more, err := collect(ctx, tx, nil, 2, searchFTSSQL, match, long, date, limit+len(found))
	if err != nil {
		return nil, err
	}
	stage1 := len(found)
	for _, c := range more {
		if !seen[c.m.ID] && len(found) < limit {
			seen[c.m.ID] = true
			found = append(found, c)
		}
	}
	slices.SortFunc(found[stage1:], compareCandidates)
	return found, nil
}

// skipScanFrom is the size of a surname range past which collectLonger
// walks distinct surnames rather than persons.
const skipScanFrom = 4096

// collectLonger appends the persons whose surname is longer than surname
// and starts with it, and whose name starts with name, best first.
func collectLonger(ctx context.Context, tx *sql.Tx, found []candidate, surname, name string, limit int) ([]candidate, error) {
	end, nameEnd := prefixEnd(surname), prefixEnd(name)
	var size int
	if err := tx.QueryRowContext(ctx, searchRangeSizeSQL, surname, end, skipScanFrom).Scan(&size); err != nil {
		return nil, err
	}
	if size < skipScanFrom {
		return collect(ctx, tx, found, 1, searchLongerSQL, surname, end, name, nameEnd, limit)
	}
	rows, err := tx.QueryContext(ctx, searchSurnamesSQL, surname, end, name, nameEnd, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Each row holds a surname and how many persons with the name the
	// surnames before it hold: a surname has some if the next row counts more.
	var hit []string
	var prev sql.NullString
	prevBefore := 0
	for rows.Next() {
		var k sql.NullString
		var before int
		if err := rows.Scan(&k, &before); err != nil {
			return nil, err
		}
		if prev.Valid && before > prevBefore {
			hit = append(hit, prev.String)
		}
		prev, prevBefore = k, before
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(hit) == 0 {
		return found, nil
	}
	keys, err := json.Marshal(hit)
	if err != nil {
		return nil, err
	}
	return collect(ctx, tx, found, 1, searchInSurnamesSQL, string(keys), name, nameEnd, limit)
}

// best sorts the candidates best first and keeps the first occurrence of
// each person, at most limit of them; seen records who was kept.
func best(found []candidate, seen map[int64]bool, limit int) []candidate {
	slices.SortFunc(found, compareCandidates)
	clear(seen)
	out := found[:0]
	for _, c := range found {
		if !seen[c.m.ID] && len(out) < limit {
			seen[c.m.ID] = true
			out = append(out, c)
		}
	}
	return out
}

// ftsPrefixMax is the longest prefix index of person_fts (0001_init.sql).
const ftsPrefixMax = 8

// ftsMatch builds the full-text query from words of a-z and 0-9 only, each a
// quoted prefix ("rossi"* "mario"*) cut to ftsPrefixMax letters, and the
// JSON array of the words it cut, which the caller checks whole; any other
// word gives "" (no stage 2), so user input never reaches the FTS5 query
// syntax.
func ftsMatch(words []string) (match, long string) {
	var b strings.Builder
	var cut []string
	for _, w := range words {
		for i := 0; i < len(w); i++ {
			if c := w[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
				return "", ""
			}
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if len(w) > ftsPrefixMax {
			cut = append(cut, w)
			w = w[:ftsPrefixMax]
		}
		b.WriteString(`"` + w + `"*`)
	}
	long = "[]"
	if len(cut) > 0 {
		j, _ := json.Marshal(cut) // strings of a-z and 0-9
		long = string(j)
	}
	return b.String(), long
}

// collect runs a search statement and appends its rows to found.
func collect(ctx context.Context, tx *sql.Tx, found []candidate, tier int, query string, args ...any) ([]candidate, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c := candidate{tier: tier}
		var status string
		if err := rows.Scan(&c.m.ID, &c.m.CF, &c.m.Surname, &c.m.Name, dateCol{&c.m.BirthDate}, &status, &c.skey, &c.nkey); err != nil {
			return nil, err
		}
		c.m.Status = registry.Status(status)
		found = append(found, c)
	}
	return found, rows.Err()
}

// withAddresses returns the matches with their current address lines.
func withAddresses(ctx context.Context, tx *sql.Tx, found []candidate) ([]registry.Match, error) {
	if len(found) == 0 {
		return nil, nil
	}
	ids := make([]byte, 0, 1+len(found)*8)
	ids = append(ids, '[')
	for i, c := range found {
		if i > 0 {
			ids = append(ids, ',')
		}
		ids = strconv.AppendInt(ids, c.m.ID, 10)
	}
	ids = append(ids, ']')
	rows, err := tx.QueryContext(ctx, searchAddressSQL, string(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	lines := make(map[int64]string, len(found))
	for rows.Next() {
		var id int64
		var a registry.Address
		if err := rows.Scan(&id, &a.Toponym, &a.Street, &a.HouseNumber, &a.Internal); err != nil {
			return nil, err
		}
		lines[id] = a.Line()
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]registry.Match, len(found))
	for i, c := range found {
		out[i] = c.m
		out[i].Address = lines[c.m.ID]
	}
	return out, nil
}
