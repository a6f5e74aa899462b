//go:build ignore

// Command genplaces builds assets/places/places.tsv.gz, the list of Italian
// municipalities (cadastral codes) and foreign states (Z codes) with their
// validity that the registry package embeds. Run it from the module root:
//
//	go run assets/genplaces/main.go -anpr ../shared/data/anpr \
//	    -ceased /tmp/npmx/marketto-belfiore-connector-embedded-1.2.1/package/asset/cities-countries.ts
//
// -anpr is the folder holding ANPR_archivio_comuni.csv and Stati_Esteri.csv
// (ANPR, Ministero dell'Interno, CC BY 4.0). -ceased is asset/cities-countries.ts
// of the npm package @marketto/belfiore-connector-embedded (MIT): from it only
// the foreign (Z) codes that the ANPR list lacks are taken, the ceased states
// such as the Soviet Union. To get that file:
//
//	npm pack @marketto/belfiore-connector-embedded@1.2.1 && tar xzf marketto-belfiore-connector-embedded-1.2.1.tgz
//
// (it unpacks to package/asset/cities-countries.ts). The output is deterministic: the same inputs give
// the same bytes.
//
// Output format, one place a line, tab separated, sorted by code and start:
//
//	code  name  province  from  to
//
// dates as YYYY-MM-DD, to empty when still in force, province empty for
// foreign states. Lines starting with # are comments.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type place struct {
	code, name, province, from, to string
}

func main() {
	anpr := flag.String("anpr", "../shared/data/anpr", "folder with ANPR_archivio_comuni.csv and Stati_Esteri.csv")
	ceased := flag.String("ceased", "", "cities-countries.ts of @marketto/belfiore-connector-embedded")
	out := flag.String("out", "assets/places/places.tsv.gz", "output file")
	flag.Parse()
	if *ceased == "" {
		log.Fatal("genplaces: -ceased is required")
	}

	munis, err := readMunicipalities(filepath.Join(*anpr, "ANPR_archivio_comuni.csv"))
	if err != nil {
		log.Fatal(err)
	}
	states, err := readStates(filepath.Join(*anpr, "Stati_Esteri.csv"))
	if err != nil {
		log.Fatal(err)
	}
	known := make(map[string]bool, len(states))
	for _, s := range states {
		known[s.code] = true
	}
	extra, err := readBelfiore(*ceased)
	if err != nil {
		log.Fatal(err)
	}
	added := 0
	for _, p := range extra {
		if strings.HasPrefix(p.code, "Z") && !known[p.code] {
			states = append(states, p)
			added++
			log.Printf("added from belfiore-connector: %s %s %s..%s", p.code, p.name, p.from, p.to)
		}
	}

	all := append(munis, states...)
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].code != all[j].code {
			return all[i].code < all[j].code
		}
		if all[i].from != all[j].from {
			return all[i].from < all[j].from
		}
		return all[i].name < all[j].name
	})

	var tsv bytes.Buffer
	tsv.WriteString("# code\tname\tprovince\tfrom\tto; sources in SOURCES.md\n")
	for _, p := range all {
		fmt.Fprintf(&tsv, "%s\t%s\t%s\t%s\t%s\n", p.code, p.name, p.province, p.from, p.to)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := zw.Write(tsv.Bytes()); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d municipality rows, %d foreign states (%d from belfiore-connector); %d bytes -> %d gzip'd in %s",
		len(munis), len(states), added, tsv.Len(), gz.Len(), *out)
}

var codeRE = regexp.MustCompile(`^[A-Z][0-9]{3}$`)

// readMunicipalities reads the ANPR archive of municipalities. Rows whose code
// is not a cadastral code (the "ND" placeholders) are skipped.
func readMunicipalities(path string) ([]place, error) {
	recs, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col, err := columns(recs[0], "CODCATASTALE", "DENOMINAZIONE_IT", "SIGLAPROVINCIA", "DATAISTITUZIONE", "DATACESSAZIONE")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []place
	for i, r := range recs[1:] {
		code := strings.TrimSpace(r[col[0]])
		if !codeRE.MatchString(code) {
			continue
		}
		from, err := isoDate(r[col[3]], "2006-01-02")
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+2, err)
		}
		to, err := isoDate(r[col[4]], "2006-01-02")
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+2, err)
		}
		out = append(out, place{code, clean(r[col[1]]), strings.TrimSpace(r[col[2]]), from, to})
	}
	return out, nil
}

// readStates reads the ANPR list of foreign states; rows with no Z code
// (Italy, stateless) are skipped.
func readStates(path string) ([]place, error) {
	recs, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col, err := columns(recs[0], "CODAT", "DENOMINAZIONE", "DATAINIZIOVALIDITA", "DATAFINEVALIDITA")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []place
	for i, r := range recs[1:] {
		code := strings.TrimSpace(r[col[0]])
		if !codeRE.MatchString(code) || code[0] != 'Z' {
			continue
		}
		from, err := isoDate(r[col[2]], "02/01/2006")
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+2, err)
		}
		to, err := isoDate(r[col[3]], "02/01/2006")
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+2, err)
		}
		out = append(out, place{code, clean(r[col[1]]), "", from, to})
	}
	return out, nil
}

func readCSV(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no rows", path)
	}
	return recs, nil
}

func columns(header []string, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = -1
		for j, h := range header {
			if strings.TrimSpace(h) == n {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("column %s missing", n)
		}
	}
	return idx, nil
}

// isoDate turns a date in layout into YYYY-MM-DD; the year 9999 means "in
// force" and gives "".
func isoDate(s, layout string) (string, error) {
	t, err := time.Parse(layout, strings.TrimSpace(s))
	if err != nil {
		return "", err
	}
	if t.Year() == 9999 {
		return "", nil
	}
	return t.Format("2006-01-02"), nil
}

func clean(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	return strings.NewReplacer("\t", " ").Replace(name)
}

// readBelfiore decodes the data of @marketto/belfiore-connector-embedded: for
// each data block, belfioreCode is a run of 3-character base-32 integers
// (letter index * 1000 + number), creationDate and expirationDate runs of
// 4-character base-32 day counts from 1861-01-01 (expiration is the first day
// no longer valid; missing means in force), name a |-separated list and
// provinceOrCountry a run of 2-letter province or ISO country codes.
func readBelfiore(path string) ([]place, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blockRE := regexp.MustCompile(`(?s)\{\s*"belfioreCode":\s*"([^"]*)"(.*?)\}`)
	kvRE := regexp.MustCompile(`"(\w+)":\s*"([^"]*)"`)
	epoch := time.Date(1861, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []place
	blocks := blockRE.FindAllSubmatch(data, -1)
	if len(blocks) == 0 {
		return nil, fmt.Errorf("%s: no data blocks", path)
	}
	for _, b := range blocks {
		codes := string(b[1])
		kv := map[string]string{}
		for _, m := range kvRE.FindAllSubmatch(b[2], -1) {
			kv[string(m[1])] = string(m[2])
		}
		names := strings.Split(kv["name"], "|")
		n := len(codes) / 3
		if len(names) != n {
			return nil, fmt.Errorf("%s: %d codes but %d names", path, n, len(names))
		}
		for i := 0; i < n; i++ {
			v, err := strconv.ParseInt(codes[3*i:3*i+3], 32, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: code %d: %w", path, i, err)
			}
			code := fmt.Sprintf("%c%03d", rune('A'+v/1000), v%1000)
			p := place{code: code, name: strings.ToUpper(clean(names[i]))}
			if s := field(kv["creationDate"], i, 4); s != "" {
				d, err := strconv.ParseInt(s, 32, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: creation date %d: %w", path, i, err)
				}
				p.from = epoch.AddDate(0, 0, int(d)).Format("2006-01-02")
			}
			if s := field(kv["expirationDate"], i, 4); s != "" {
				d, err := strconv.ParseInt(s, 32, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: expiration date %d: %w", path, i, err)
				}
				p.to = epoch.AddDate(0, 0, int(d)-1).Format("2006-01-02")
			}
			if code[0] != 'Z' {
				p.province = field(kv["provinceOrCountry"], i, 2)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func field(s string, i, width int) string {
	if len(s) < (i+1)*width {
		return ""
	}
	return s[i*width : (i+1)*width]
}
